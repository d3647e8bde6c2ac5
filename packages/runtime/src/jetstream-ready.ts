import { isBusUnavailable } from '@topdog/contracts';
import type { Logger } from 'pino';

/** How long a service's JetStream setup keeps trying while JetStream does not answer. */
const SETUP_RETRY_FOR_MS = 120_000;

/**
 * A start-up step on JetStream or the event store (creating or opening a stream, a bucket, a
 * queue), tried again every second while they do not answer (`isBusUnavailable`, which the
 * KurrentDB adapter's EventStoreUnavailableError also meets), so a service started with a cluster that is still
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
      if (!isBusUnavailable(err) || Date.now() > deadline) throw err;
      logger.warn(
        { err, attempt },
        `${what}: JetStream does not answer (a cluster electing its leaders, or a server without JetStream); trying again in a second`,
      );
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}
