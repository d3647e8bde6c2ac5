import { TopDogApiError, type TopDogClient } from '@topdog/client';
import { TAKES_THE_ANSWER, type CompletePhaseResponse, type Phase } from '@topdog/contracts';
import { describeTransition } from './describe-transition';
import { EXIT } from './exit-codes';
import type { Output } from './output';

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

/** The answer a phase run by hand waits on, or why none does. */
export type Waiting = Answered | { nothing: string };

/**
 * The answer a phase run by hand waits on now, if any: the last call's, when it succeeded for
 * the current phase and nothing has taken it since (the events after it, as the dashboard reads
 * them). Its revision is the workflow's current one.
 */
export async function waitingAnswer(client: TopDogClient, workflowId: string): Promise<Waiting> {
  const status = await client.status(workflowId);
  const nothing = (why: string): Waiting => ({ nothing: `nothing taken: ${why}` });
  if (status.is_complete) return nothing('the workflow is complete');
  if (status.cancelled) return nothing('the workflow is cancelled');
  if (status.awaiting_approval) return nothing(`${status.awaiting_approval.phase}'s answer is held for approval: topdog approve | topdog reject --comment …`);
  if (status.llm.running) return nothing(`a model call is running on ${status.llm.running.phase}: topdog run ${workflowId} follows it`);
  const none = nothing(`no model's answer waits on ${status.current_state}`);
  const last = status.llm.last_call;
  if (!last || last.status !== 'succeeded' || last.phase !== status.current_state) return none;
  let answeredAt: number | undefined;
  let revision = -1;
  for await (const record of client.audit(workflowId)) {
    revision = record.revision;
    const data = record.data as { callId?: unknown };
    if (record.type === 'LlmCallSucceeded' && data.callId === last.call_id) answeredAt = record.revision;
    else if (answeredAt !== undefined && TAKES_THE_ANSWER.has(record.type)) answeredAt = undefined;
  }
  return answeredAt === undefined ? none : { callId: last.call_id, revision };
}

/**
 * After `run` stopped on the answer of a phase run by hand: with --accept, the phase completed
 * with it (tried once more at the current revision if an unrelated event came after the answer);
 * without, what a person can do with it. Returns the exit code.
 */
export async function afterHandRun(client: TopDogClient, out: Output, workflowId: string, answered: Answered, accept: boolean): Promise<number> {
  if (!accept) {
    // The hint is for people: --json output ends with the records, and needs no status read.
    if (out.json) return EXIT.OK;
    const last = (await client.status(workflowId, { at: answered.revision })).llm.last_call;
    out.line(
      last?.ai_response === null
        ? `\n(the answer does not meet ${last.phase}'s schema: topdog complete ${workflowId} --response … completes the phase by hand)`
        : `\n(the answer waits for a person: topdog accept ${workflowId} completes the phase with it, as the dashboard's Accept does)`,
    );
    return EXIT.OK;
  }
  let a = await acceptAnswer(client, workflowId, answered);
  if (!a.accepted && a.exitCode === EXIT.CONFLICT) {
    const waiting = await waitingAnswer(client, workflowId);
    if ('callId' in waiting && waiting.callId === answered.callId) a = await acceptAnswer(client, workflowId, waiting);
  }
  if (!a.accepted) {
    out.error(new Error(a.reason));
    return a.exitCode;
  }
  if (out.json) out.line(JSON.stringify({ type: 'accepted', ...a.completed }));
  else out.line(`\n${describeAcceptance(a)}\n${describeTransition(a.completed)}`);
  return EXIT.OK;
}

/** An accepted answer for people: what became of the phase. */
export function describeAcceptance(a: Extract<Acceptance, { accepted: true }>): string {
  return a.completed.awaiting_approval ? `[${a.phase}: the model's answer is held for approval]` : `[${a.phase} completed with the model's answer]`;
}
