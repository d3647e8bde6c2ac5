import type { TopDogClient } from '@topdog/client';
import { EXIT } from '../exit-codes';
import type { Output } from '../output';
import { describeTransition } from './workflow.commands';

/** The model call a hand-run phase stopped on, and the workflow's revision once it had answered. */
export interface Answered {
  callId: string;
  revision: number;
}

/**
 * `run --accept`: completes the phase with the answer the model just gave, as the dashboard's
 * Accept does. The answer is read from the status as it was at the call's success, and the
 * phase completed only at that revision (If-Match): if anything moved the workflow on since (a
 * person completed it, another run answered again), the API answers 412 and nothing is taken.
 * An answer that does not meet the phase's schema is not accepted (exit 6).
 */
export async function acceptAnswer(client: TopDogClient, out: Output, workflowId: string, answered: Answered): Promise<number> {
  const { llm } = await client.status(workflowId, { at: answered.revision });
  const last = llm.last_call;
  if (last?.call_id !== answered.callId || last.status !== 'succeeded' || last.ai_response === null || last.phase_result === null) {
    out.line(`[not accepted: the answer does not meet the phase's schema; topdog complete ${workflowId} --response … completes it by hand]`);
    return EXIT.REFUSED;
  }
  const completed = await client.completePhase(
    { workflow_id: workflowId, ai_response: last.ai_response, phase_result: last.phase_result, expected_state: last.phase },
    { ifMatch: `"${answered.revision}"`, idempotencyKey: `accept-${answered.callId}-${answered.revision}` },
  );
  out.result(completed, (v) => `[${last.phase} completed with the model's answer]\n${describeTransition(v)}`);
  return EXIT.OK;
}
