import { useCallback, useEffect, useRef, useState } from 'react';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` now and whenever `deps` change or reload() is called; a late answer to an older run is dropped. */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const run = useRef(0);
  const lastTick = useRef(tick);
  useEffect(() => {
    const mine = ++run.current;
    // The wait starts here, with the effect. A reload keeps the data so far shown, marked as
    // loading; other inputs (another page, other filters) drop it: it answered another question.
    const reload = lastTick.current !== tick;
    lastTick.current = tick;
    setState((s) => ({ data: reload ? s.data : undefined, error: null, loading: true }));
    load().then(
      (data) => mine === run.current && setState({ data, error: null, loading: false }),
      (error: unknown) => mine === run.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
    // The caller's deps are checked where useAsync is called (exhaustive-deps' additionalHooks).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
