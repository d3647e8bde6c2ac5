import { http } from './http';

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

/**
 * A workflow's status once `ok` holds for it (polled every 100 ms over the API with the test
 * admin key); fails naming the workflow after the timeout.
 */
export function waitForStatus(baseUrl: string, id: string, ok: (body: any) => boolean, timeoutMs = 30_000): Promise<any> {
  return poll(
    `status of ${id}`,
    async () => {
      const s = await http(baseUrl, 'GET', `/api/ai-workflows/status/${id}`);
      return s.status === 200 && ok(s.body) ? s.body : undefined;
    },
    { timeoutMs, everyMs: 100 },
  );
}
