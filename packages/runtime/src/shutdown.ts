import type { Logger } from 'pino';
import { watchParent } from './parent-watch';

/**
 * Runs `stop` once on SIGINT or SIGTERM, or when the `pnpm start` that started this process
 * is gone (see watchParent), then exits. A second signal, or a stop that takes longer than
 * `timeoutMs`, exits at once.
 */
export function onShutdown(logger: Logger, stop: () => Promise<void>, timeoutMs = 10_000): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals | 'parent exited') => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      logger.error('stop timed out');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  watchParent(() => handle('parent exited'));
}

/** Logs a failure to start and exits with a non-zero code. */
export function exitOnStartFailure(logger: Pick<Logger, 'fatal'> | undefined, err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  if (logger) logger.fatal({ err }, 'failed to start');
  else process.stderr.write(`${message}\n`);
  process.exit(1);
}
