import { TopDogApiError, type TopDogClient } from '@topdog/client';
import { TAKES_THE_ANSWER, type CompletePhaseResponse, type Phase } from '@topdog/contracts';
import { EXIT } from './exit-codes';

/** A model's answer to a phase run by hand, and the workflow's revision it is taken at. */
export interface Answered {
  callId: string;
  /** Completing is sent with this revision as If-Match: nothing is taken if the workflow moved on. */
  revision: number;
}

/** What accepting an answer came to: the phase completed (or held for approval), or why nothing was taken. */
export type Acceptance = { accepted: true; phase: Phase; completed: CompletePhaseResponse } | { accepted: false; exitCode: number; reason: string };

const refused = (exitCode: number, reason: string): Acceptance => ({ accepted: false, exitCode, reason });

/**
 * Completes the phase with a model's answer, as the dashboard's Accept does: the answer as the
 * status gave it at `answered.revision`, sent with that revision as If-Match, so that nothing is
 * taken if anything moved the workflow on since (a person completed it, a call ran again). An
 * answer that does not meet the phase's schema is not taken (it has no ai_response to send).
 */
export async function acceptAnswer(client: TopDogClient, workflowId: string, answered: Answered): Promise<Acceptance> {
  const last = (await client.status(workflowId, { at: answered.revision })).llm.last_call;
  if (last?.call_id !== answered.callId || last.status !== 'succeeded') {
    return refused(EXIT.CONFLICT, 'nothing taken: the workflow no longer waits on that answer');
  }
  if (last.ai_response === null || last.phase_result === null) {
    return refused(
      EXIT.REFUSED,
      `nothing taken: the answer does not meet ${last.phase}'s schema; topdog complete ${workflowId} --response … completes it by hand`,
    );
  }
  try {
    const completed = await client.completePhase(
      { workflow_id: workflowId, ai_response: last.ai_response, phase_result: last.phase_result, expected_state: last.phase },
      { ifMatch: `"${answered.revision}"`, idempotencyKey: `accept-${answered.callId}-${answered.revision}` },
    );
    return { accepted: true, phase: last.phase, completed };
  } catch (err) {
    if (err instanceof TopDogApiError && err.status === 412) return refused(EXIT.CONFLICT, 'nothing taken: the workflow moved on since the answer');
    throw err;
  }
}

/**
 * The answer a phase run by hand waits on now, if any: the last call's, when it succeeded for
 * the current phase and nothing has taken it since (the events after it, as the dashboard reads
 * them). Its revision is the workflow's current one.
 */
export async function waitingAnswer(client: TopDogClient, workflowId: string): Promise<Answered | undefined> {
  const status = await client.status(workflowId);
  const last = status.llm.last_call;
  if (!last || last.status !== 'succeeded' || last.phase !== status.current_state || status.llm.running) return undefined;
  let answeredAt: number | undefined;
  let revision = -1;
  for await (const record of client.audit(workflowId)) {
    revision = record.revision;
    const data = record.data as { callId?: unknown };
    if (record.type === 'LlmCallSucceeded' && data.callId === last.call_id) answeredAt = record.revision;
    else if (answeredAt !== undefined && TAKES_THE_ANSWER.has(record.type)) answeredAt = undefined;
  }
  return answeredAt === undefined ? undefined : { callId: last.call_id, revision };
}

/** An acceptance for people: what became of the phase, or why nothing was taken. */
export function describeAcceptance(a: Extract<Acceptance, { accepted: true }>): string {
  return a.completed.awaiting_approval ? `[${a.phase}: the model's answer is held for approval]` : `[${a.phase} completed with the model's answer]`;
}
