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

/** The exit code of a start refused for a setting (sysexits' EX_CONFIG): starting again changes nothing. */
export const EXIT_CONFIG = 78;

/**
 * Logs a failure to start and exits with a non-zero code: EXIT_CONFIG, and the message alone (it
 * names each variable), when a setting is wrong; 1, with the error, otherwise.
 */
export function exitOnStartFailure(logger: Pick<Logger, 'fatal'> | undefined, err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  const badSetting = message.startsWith('invalid configuration');
  if (logger) logger.fatal(badSetting ? {} : { err }, badSetting ? message : 'failed to start');
  else process.stderr.write(`${message}\n`);
  process.exit(badSetting ? EXIT_CONFIG : 1);
}
