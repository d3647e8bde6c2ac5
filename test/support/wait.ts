export interface PollOptions {
  timeoutMs?: number;
  everyMs?: number;
}

/**
 * Asks `probe` until it gives a value (an error counts as "not yet"); after the timeout, fails
 * naming what it waited for.
 */
export async function poll<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, options: PollOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const value = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, options.everyMs ?? 20));
  }
}

/** Waits until `check` holds; fails naming what it waited for after the timeout. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, options: PollOptions = {}): Promise<void> {
  await poll(what, async () => ((await check()) ? true : undefined), options);
}
