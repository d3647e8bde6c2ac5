import type { AuditRecordBody } from '@topdog/contracts';
import { useEffect, useState } from 'react';
import { useSession } from '../session/session-context';
import { applyToken, type TokenBuffers } from './token-buffers';
import { applyRecord, emptyView, type WorkflowView } from './workflow-view';

/** Where the live stream stands: open, reconnecting (after a drop or a refusal worth waiting out), or ended for good. */
export type StreamState = { kind: 'connecting' } | { kind: 'live' } | { kind: 'reconnecting'; attempt: number } | { kind: 'ended'; error: unknown };

export interface WorkflowEvents {
  view: WorkflowView;
  /** Every record so far, in order: the audit trail. */
  records: AuditRecordBody[];
  stream: StreamState;
}

/**
 * One workflow's events, its history then live over SSE (the client reconnects after a drop and
 * resumes after the last event), folded into the view as they come. Token deltas are kept apart
 * (`tokens`): they change many times a second and only the token stream shows them.
 */
export function useWorkflowEvents(workflowId: string): WorkflowEvents & { tokens: TokenBuffers } {
  const { client } = useSession();
  const [state, setState] = useState<WorkflowEvents>({ view: emptyView(), records: [], stream: { kind: 'connecting' } });
  const [tokens, setTokens] = useState<TokenBuffers>([]);
  useEffect(() => {
    const abort = new AbortController();
    void (async () => {
      try {
        const events = client.events(workflowId, {
          signal: abort.signal,
          onConnected: () => setState((s) => ({ ...s, stream: { kind: 'live' } })),
          onReconnect: (attempt) => setState((s) => ({ ...s, stream: { kind: 'reconnecting', attempt } })),
        });
        for await (const item of events) {
          if (abort.signal.aborted) return;
          if (item.kind === 'event') {
            const record = item.record;
            setState((s) => {
              const view = applyRecord(s.view, record);
              return view === s.view ? s : { ...s, view, records: [...s.records, record] };
            });
          } else if (item.kind === 'token') {
            const delta = item.delta;
            setTokens((t) => applyToken(t, delta));
          }
        }
      } catch (error) {
        if (!abort.signal.aborted) setState((s) => ({ ...s, stream: { kind: 'ended', error } }));
      }
    })();
    return () => abort.abort();
  }, [client, workflowId]);
  return { ...state, tokens };
}
