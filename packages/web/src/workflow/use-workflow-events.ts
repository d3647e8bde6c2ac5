import type { AuditRecordBody } from '@topdog/contracts';
import { useEffect, useState } from 'react';
import { useSession } from '../session/session-context';
import { applyRecord, emptyView, type WorkflowView } from './workflow-view';

/** The text a running call has streamed so far (the attempt's own: a retry starts again). */
export interface StreamedTokens {
  callId: string;
  attempt: number;
  text: string;
}

export interface WorkflowEvents {
  view: WorkflowView;
  /** Every record so far, in order: the audit trail. */
  records: AuditRecordBody[];
  tokens: StreamedTokens | null;
  /** The live stream is open (false while connecting or reconnecting). */
  live: boolean;
  /** The stream was refused for good (not found, not allowed). */
  error: unknown;
}

/**
 * One workflow's events, its history then live over SSE (the client reconnects after a drop and
 * resumes after the last event), folded into the view as they come.
 */
export function useWorkflowEvents(workflowId: string): WorkflowEvents {
  const { client } = useSession();
  const [state, setState] = useState<WorkflowEvents>({ view: emptyView(), records: [], tokens: null, live: false, error: null });
  useEffect(() => {
    const abort = new AbortController();
    setState({ view: emptyView(), records: [], tokens: null, live: false, error: null });
    void (async () => {
      try {
        const events = client.events(workflowId, {
          signal: abort.signal,
          onConnected: () => setState((s) => ({ ...s, live: true })),
          onReconnect: () => setState((s) => ({ ...s, live: false })),
        });
        for await (const item of events) {
          if (item.kind === 'event') {
            const record = item.record;
            setState((s) => {
              const view = applyRecord(s.view, record);
              if (view === s.view) return s;
              const tokens = view.running && s.tokens?.callId === view.running.callId ? s.tokens : null;
              return { ...s, view, records: [...s.records, record], tokens };
            });
          } else if (item.kind === 'token') {
            const { callId, attempt, delta } = item.delta;
            setState((s) => {
              if (s.view.running && s.view.running.callId !== callId) return s;
              const same = s.tokens?.callId === callId && s.tokens.attempt === attempt;
              return { ...s, tokens: { callId, attempt, text: (same ? s.tokens!.text : '') + delta } };
            });
          }
        }
      } catch (error) {
        if (!abort.signal.aborted) setState((s) => ({ ...s, live: false, error }));
      }
    })();
    return () => abort.abort();
  }, [client, workflowId]);
  return state;
}
