import type { NatsConnection } from '@nats-io/transport-node';
import type { ServiceName } from '@topdog/contracts';
import type { z } from 'zod';
import { parseConfig, type BaseConfig } from './config';
import { instanceId } from './instance-id';
import { createLogger, type Logger } from './logger';
import { natsAuthenticator } from './nats-auth';
import { connectNats } from './nats-connection';
import { busInbox } from './nats-permissions';
import { startOpsServer, type HealthCheck, type OpsServerOptions } from './ops-server';
import { startTracing, tracingSettings } from './tracing/tracing-setup';
import { watchParent } from './parent-watch';
import { exitOnStartFailure, onShutdown } from './shutdown';

export interface Running {
  /** This instance's health, served on `METRICS_PORT` when that is set. */
  health?: HealthCheck;
  /** Its Prometheus series, served there too. */
  metrics?: OpsServerOptions['metrics'];
  close(): Promise<void>;
}

export type StartService<C> = (config: C, nc: NatsConnection, logger: Logger, instance: string) => Promise<Running>;

/**
 * A service's process life: settings (a bad one stops the process naming the variable), the
 * root logger, NATS, then the service until SIGINT or SIGTERM, or the loss of the `pnpm start`
 * that started it, stops it gracefully.
 */
export async function runService<S extends z.ZodType<BaseConfig>>(service: ServiceName, schema: S, start: StartService<z.infer<S>>): Promise<void> {
  let logger: Logger | undefined;
  // Starting can wait on NATS for a long time; an orphan must not wait it out.
  const stopWatching = watchParent(() => exitOnStartFailure(logger, new Error('the process that started this one exited')));
  try {
    const config = parseConfig(schema);
    // The tracing settings are configuration too: a bad one stops the start here, before NATS.
    tracingSettings();
    const instance = instanceId(service, config.INSTANCE_ID);
    const authenticator = natsAuthenticator(config);
    const log = (logger = createLogger(service, config.LOG_LEVEL, instance));
    const nc = await connectNats({
      servers: config.NATS_URL,
      name: instance,
      logger: log,
      authenticator,
      inboxPrefix: config.NATS_INBOX_PREFIX ?? busInbox(service),
    });
    // Before the service: the spans of its first requests are exported too.
    const tracing = await startTracing(service, instance, log);
    const running = await start(config, nc, log, instance);
    const ops =
      config.METRICS_PORT !== undefined && running.health
        ? await startOpsServer({ port: config.METRICS_PORT, host: config.METRICS_HOST, health: running.health, metrics: running.metrics, logger: log })
        : undefined;
    log.info({ prefix: config.TOPDOG_PREFIX, ...(ops ? { opsUrl: ops.url } : {}) }, `${service} ready`);
    stopWatching();
    onShutdown(log, async () => {
      // Probes fail at once: this instance takes no more work.
      await ops?.close();
      await running.close();
      await tracing.shutdown().catch((err: unknown) => log.warn({ err }, 'the last spans could not be exported'));
      await nc.drain();
      log.info('stopped');
    });
  } catch (err) {
    exitOnStartFailure(logger, err);
  }
}
