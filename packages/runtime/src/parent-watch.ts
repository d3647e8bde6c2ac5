/** Set by `pnpm start` (scripts/start.mjs) to its own pid in each service's environment. */
export const PARENT_PID_VARIABLE = 'TOPDOG_PARENT_PID';

const POLL_MS = 500;

/** What watchParent reads of the process: `process` itself outside tests. */
export interface ParentLink {
  readonly ppid: number;
  readonly channel?: { unref(): void } | undefined;
  once(event: 'disconnect', listener: () => void): unknown;
  removeListener(event: 'disconnect', listener: () => void): unknown;
}

/**
 * Calls `onLost` once when the process that started this one goes away, for a process started
 * with TOPDOG_PARENT_PID (by `pnpm start`); otherwise does nothing. `pnpm start`'s services lead
 * their own process groups, so a SIGKILL of it, or of its group, reaches none of them: without
 * this they would run on as orphans.
 *
 * Two signs, either enough: the IPC channel `pnpm start` opens closes the moment its process
 * dies, however it dies; and an orphan is re-parented, so `process.ppid` stops being the pid we
 * were given (which also covers a parent that opened no channel). Returns a function that stops
 * watching.
 */
export function watchParent(onLost: () => void, env: NodeJS.ProcessEnv = process.env, proc: ParentLink = process): () => void {
  const expected = Number(env[PARENT_PID_VARIABLE]);
  if (!Number.isInteger(expected) || expected <= 0) return () => {};
  const timer = setInterval(() => proc.ppid !== expected && lose(), POLL_MS);
  timer.unref();
  // Nothing is ever sent over the channel, and it must not keep a stopping process alive.
  proc.channel?.unref();
  proc.once('disconnect', lose);
  function stop() {
    clearInterval(timer);
    proc.removeListener('disconnect', lose);
  }
  function lose() {
    stop();
    onLost();
  }
  if (proc.ppid !== expected) lose();
  return stop;
}
