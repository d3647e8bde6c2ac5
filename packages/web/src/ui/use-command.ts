import { useCallback, useState } from 'react';

/** A command's state: run it, see it pending, see its error. */
export function useCommand<A extends unknown[], T>(command: (...args: A) => Promise<T>) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(
    async (...args: A): Promise<T | undefined> => {
      setPending(true);
      setError(null);
      try {
        return await command(...args);
      } catch (err) {
        setError(err);
        return undefined;
      } finally {
        setPending(false);
      }
    },
    [command],
  );
  return { run, pending, error, clearError: () => setError(null) };
}
