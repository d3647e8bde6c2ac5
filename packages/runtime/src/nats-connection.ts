import { connect, PermissionViolationError, type Authenticator, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

export interface NatsConnectOptions {
  /** Comma-separated server URLs. */
  servers: string;
  /** The connection's name, as the server's monitoring shows it (the instance id). */
  name: string;
  logger: Logger;
  authenticator?: Authenticator;
  /** The prefix of its reply subjects (`busInbox(user)`); nats.js's `_INBOX` if unset. */
  inboxPrefix?: string;
}

/**
 * Connects to NATS and keeps reconnecting for ever: a NATS restart is an outage to wait out,
 * not a reason to exit. The first connection is awaited too, so services may start before NATS.
 * Credentials the server refuses end the attempt (nats.js stops after a second refusal).
 */
export async function connectNats({ servers, name, logger, authenticator, inboxPrefix }: NatsConnectOptions): Promise<NatsConnection> {
  const nc = await connect({
    servers: servers.split(',').map((s) => s.trim()),
    name,
    noAsyncTraces: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    pingInterval: 10_000,
    ...(authenticator ? { authenticator } : {}),
    ...(inboxPrefix ? { inboxPrefix } : {}),
  });
  logger.info({ server: nc.getServer(), authenticated: authenticator !== undefined }, 'connected to NATS');
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') logger.warn({ server: s.server }, 'NATS disconnected');
      else if (s.type === 'reconnect') logger.info({ server: s.server }, 'NATS reconnected');
      else if (s.type === 'error' && s.error instanceof PermissionViolationError) {
        // What was refused fails where it was asked for (a JetStream call, a request that times
        // out, a subscription closed); this line says why.
        const { operation, subject, queue } = s.error;
        const verb = operation === 'subscription' ? 'subscribe to' : operation;
        logger.error({ err: s.error, operation, subject, queue }, `NATS refused to ${verb} ${subject}: outside this service's bus permissions`);
      } else if (s.type === 'error') logger.error({ err: s.error }, 'NATS error');
    }
  })();
  return nc;
}
