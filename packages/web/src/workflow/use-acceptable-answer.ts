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
 * For a phase run by hand (no auto-advance): the model's last answer, as the status gives it
 * when it meets the phase's schema, so a person can accept it with one click. Read from the
 * status once the events say a call ended and the phase is still open (the status follows the
 * events a moment later, so it is read again after a second if it does not show the call yet).
 */
export function useAcceptableAnswer(workflowId: string, view: WorkflowView): AcceptableAnswer | null {
  const { client } = useSession();
  const [answer, setAnswer] = useState<AcceptableAnswer | null>(null);
  const lastCall = Object.entries(view.calls).at(-1);
  const wanted = !view.autoAdvance && view.running === null && view.awaitingApproval === null && lastCall !== undefined && lastCall[1].phase === view.state;
  const callId = wanted ? lastCall[0] : null;
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
