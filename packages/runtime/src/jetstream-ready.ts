import type { Logger } from 'pino';

/** How long a service's JetStream setup keeps trying while JetStream does not answer. */
const SETUP_RETRY_FOR_MS = 120_000;

/**
 * JetStream's own failures while a cluster elects its leaders (at its first start, or after
 * losing a node): requests time out or find no responder, or the API says it is not ready.
 */
export function jetStreamNotReady(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // The event store's own word for those (@topdog/event-store), and nats.js's.
  if (['EventStoreUnavailableError', 'TimeoutError', 'NoResponders', 'JetStreamNotEnabled'].includes(err.name)) return true;
  // 10008: "JetStream system temporarily unavailable"; a 503; a stream or bucket with no leader yet.
  const { code, status } = err as { code?: unknown; status?: unknown };
  return err.name === 'JetStreamApiError' && (code === 10008 || status === 503 || /temporarily unavailable|leader/i.test(err.message));
}

/**
 * A start-up step on JetStream (creating or opening a stream, a bucket, a queue), tried again
 * every second while JetStream is not ready, so a service started with a cluster that is still
 * electing its leaders waits for it instead of exiting. A step must be safe to repeat: it
 * subscribes to nothing until it succeeds. Other failures, and a JetStream that stays away for
 * two minutes, end the start.
 */
export async function untilJetStreamReady<T>(what: string, setup: () => Promise<T>, logger: Logger): Promise<T> {
  const deadline = Date.now() + SETUP_RETRY_FOR_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await setup();
    } catch (err) {
      if (!jetStreamNotReady(err) || Date.now() > deadline) throw err;
      logger.warn({ err, attempt }, `${what}: JetStream is not ready (a cluster electing its leaders?); trying again in a second`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}
