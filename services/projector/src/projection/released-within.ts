/**
 * Waits for a release, for at most `timeoutMs`: `register` records the release function where
 * whatever is awaited will call it, and returns how to take it back. Resolves true when released,
 * false on the timeout (the release taken back first, so nothing waits forever in a list).
 */
export function releasedWithin(timeoutMs: number, register: (release: () => void) => () => void): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      unregister();
      resolve(false);
    }, timeoutMs);
    const unregister = register(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
