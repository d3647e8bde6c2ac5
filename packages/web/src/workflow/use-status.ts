import { useEffect, useRef, useState } from 'react';
import { useSession } from '../session/session-context';

type Status = Awaited<ReturnType<ReturnType<typeof useSession>['client']['status']>>;

/**
 * The workflow's status (usage, budget, the running call, its ETag), read again shortly after
 * each new event: the status is a read model that follows the events a moment later.
 */
export function useStatus(workflowId: string, revision: number): { status: Status | undefined; error: unknown; reload: () => void } {
  const { client } = useSession();
  const [status, setStatus] = useState<Status | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const mine = ++latest.current;
    const read = () =>
      void client.status(workflowId).then(
        (s) => mine === latest.current && (setStatus(s), setError(null)),
        (e: unknown) => mine === latest.current && setError(e),
      );
    // At once, and again once the read model has surely caught up with the event that changed things.
    const soon = setTimeout(read, 100);
    const later = setTimeout(read, 1000);
    return () => {
      clearTimeout(soon);
      clearTimeout(later);
    };
  }, [client, workflowId, revision, tick]);
  return { status, error, reload: () => setTick((t) => t + 1) };
}
