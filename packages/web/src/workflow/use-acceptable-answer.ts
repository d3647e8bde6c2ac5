import type { Phase } from '@topdog/contracts';
import { useEffect, useState } from 'react';
import { useSession } from '../session/session-context';
import type { WorkflowView } from './workflow-view';

/** A model's answer to the current phase that complete-phase would take as it is. */
export interface AcceptableAnswer {
  phase: Phase;
  callId: string;
  aiResponse: string;
  phaseResult: Record<string, unknown>;
}

/**
 * The model's answer to the current phase that nothing has taken yet (view.pendingAnswer: a phase
 * run by hand), as the status gives it when it meets the phase's schema, so a person can accept
 * it with one click. The status follows the events a moment later: it is read again after a
 * second while it does not show the call yet.
 */
export function useAcceptableAnswer(workflowId: string, view: WorkflowView): AcceptableAnswer | null {
  const { client } = useSession();
  const [answer, setAnswer] = useState<AcceptableAnswer | null>(null);
  const callId = view.pendingAnswer?.callId ?? null;
  useEffect(() => {
    if (!callId) return;
    let stopped = false;
    const read = async (retries: number): Promise<void> => {
      const status = await client.status(workflowId).catch(() => undefined);
      const last = status?.llm.last_call;
      if (stopped) return;
      if (last?.call_id === callId) {
        const ok = last.status === 'succeeded' && last.ai_response !== null && last.phase_result !== null;
        setAnswer(ok ? { phase: last.phase, callId, aiResponse: last.ai_response!, phaseResult: last.phase_result! } : null);
      } else if (retries > 0) {
        await new Promise((r) => setTimeout(r, 1000));
        if (!stopped) await read(retries - 1);
      }
    };
    void read(3);
    return () => {
      stopped = true;
    };
  }, [client, workflowId, callId]);
  return answer && answer.callId === callId ? answer : null;
}
