import { PHASES, TopDogError, type LlmCallOutcome, type Phase } from '@topdog/contracts';
import { examplePhaseResult } from '@topdog/prompts';
import { DeciderSpecification, decidedEvents } from '@topdog/testing/decider-specification';
import { describe, expect, it } from 'vitest';
import type { WorkflowDecision } from './workflow.decide';
import { initializeDecision, withCode, workflowDecider, workflowId } from './workflow.fixture';
import { evolve, initialState, type StartedWorkflow } from './workflow.state';

const decider = workflowDecider();
const given = DeciderSpecification.for(decider);
const history = (...commands: WorkflowDecision[]) => decidedEvents(decider, commands);
const stateAfter = (...commands: WorkflowDecision[]) => history(...commands).reduce(evolve, initialState()) as StartedWorkflow;

const ids = Array.from({ length: 40 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
const scope = { projects: ['*'] };
const gated = (extra: Parameters<typeof initializeDecision>[0] = {}) => initializeDecision({ approvalRequired: ['PLANNING', 'DEPLOYMENT'], ...extra });
const complete = (aiResponse = 'by hand'): WorkflowDecision => ({ type: 'CompletePhase', data: { workflowId, aiResponse, phaseResult: { n: 1 }, ...scope } });
const run = (callId: string): WorkflowDecision => ({ type: 'RunPhase', data: { workflowId, callId, ...scope } });
const approve = (comment: string | null = null, nextCallId = ids[30]!): WorkflowDecision => ({
  type: 'ApprovePhase',
  data: { workflowId, comment, nextCallId, ...scope },
});
const reject = (comment: string, nextCallId = ids[31]!): WorkflowDecision => ({ type: 'RejectPhase', data: { workflowId, comment, nextCallId, ...scope } });
const sendBack = (toPhase: Phase, reason = 'the tests found a bug', nextCallId = ids[32]!): WorkflowDecision => ({
  type: 'SendBack',
  data: { workflowId, toPhase, reason, nextCallId, ...scope },
});
const cancel = (reason = 'no longer needed'): WorkflowDecision => ({ type: 'CancelWorkflow', data: { workflowId, reason, ...scope } });
const ok = (content: string): LlmCallOutcome => ({
  ok: true,
  content,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  inputTokens: 1000,
  outputTokens: 500,
  latencyMs: 12,
  providerRequestId: null,
  finishReason: 'stop',
  attempts: 1,
});
const result = (callId: string, content: string, nextCallId = ids[39]!): WorkflowDecision => ({
  type: 'RecordLlmResult',
  data: { workflowId, callId, outcome: ok(content), nextCallId },
});
const answer = (phase: Phase) => `Here it is.\n\`\`\`json\n${JSON.stringify(examplePhaseResult(phase))}\n\`\`\``;
const event = (type: string, data: Record<string, unknown> = {}) => expect.objectContaining({ type, data: expect.objectContaining(data) });
/** The messages of the call an event list requests. */
const requestedMessages = (events: { type: string; data: unknown }[]) =>
  (events.find((e) => e.type === 'LlmCallRequested')?.data as { messages: { role: string; content: string }[] }).messages;

describe('approval gates', () => {
  it('holds a gated phase answered by hand: ApprovalRequested, the phase not done, the answer kept', () => {
    given(history(gated(), complete()))
      .when(complete('the plan'))
      .then([
        {
          type: 'ApprovalRequested',
          data: { workflowId, phase: 'PLANNING', role: 'Q_ASSISTANT', aiResponse: 'the plan', phaseResult: { n: 1 }, callId: null },
        },
      ]);
    const state = stateAfter(gated(), complete(), complete('the plan'));
    expect(state).toMatchObject({ status: 'active', current: 'PLANNING', awaiting: { phase: 'PLANNING', aiResponse: 'the plan' } });
    expect(state.phases.map((p) => p.phase)).toEqual(['DISCOVERY']);
  });

  it('answers 409 to complete-phase and run-phase while a phase awaits approval', () => {
    const waiting = history(gated(), complete(), complete());
    given(waiting)
      .when(complete())
      .thenThrows(TopDogError, withCode('CONFLICT', /PLANNING answer awaits approval/));
    given(waiting)
      .when(run(ids[0]!))
      .thenThrows(TopDogError, withCode('CONFLICT', /awaits approval/));
  });

  it('approves: PhaseApproved, then PhaseCompleted as any completion', () => {
    given(history(gated(), complete(), complete('the plan')))
      .when(approve('looks right'))
      .then([
        { type: 'PhaseApproved', data: { workflowId, phase: 'PLANNING', role: 'Q_ASSISTANT', comment: 'looks right' } },
        event('PhaseCompleted', { phase: 'PLANNING', aiResponse: 'the plan', phaseResult: { n: 1 }, previousState: 'PLANNING', newState: 'IMPLEMENTATION' }),
      ]);
    expect(stateAfter(gated(), complete(), complete(), approve())).toMatchObject({ current: 'IMPLEMENTATION', awaiting: null });
  });

  it('ends the workflow when the last phase is approved', () => {
    const toDeployment = [gated(), complete(), complete(), approve(), ...PHASES.slice(2, 5).map(() => complete())];
    given(history(...toDeployment, complete('release')))
      .when(approve())
      .then([event('PhaseApproved', { phase: 'DEPLOYMENT' }), event('PhaseCompleted', { newState: 'COMPLETE' }), event('WorkflowCompleted')]);
  });

  it('answers 409 to approve and reject when nothing awaits approval', () => {
    given(history(gated()))
      .when(approve())
      .thenThrows(TopDogError, withCode('CONFLICT', /nothing awaits approval/));
    given(history(gated()))
      .when(reject('no'))
      .thenThrows(TopDogError, withCode('CONFLICT', /nothing awaits approval/));
    given(history(gated(), complete(), complete(), approve()))
      .when(approve())
      .thenThrows(TopDogError, withCode('CONFLICT'));
  });

  it('rejects: the phase opens again, the rejected answer and the comment in its next prompt', () => {
    given(history(gated(), complete(), complete('plan v1')))
      .when(reject('split task 3'))
      .then([{ type: 'PhaseRejected', data: { workflowId, phase: 'PLANNING', role: 'Q_ASSISTANT', comment: 'split task 3', rejectedResponse: 'plan v1' } }]);
    const afterReject = history(gated(), complete(), complete('plan v1'), reject('split task 3'));
    const state = afterReject.reduce(evolve, initialState()) as StartedWorkflow;
    expect(state).toMatchObject({ current: 'PLANNING', awaiting: null, feedback: [{ kind: 'rejected', answer: 'plan v1', comment: 'split task 3' }] });
    // Re-run by a model: the prompt carries the rejected answer and the comment.
    const [requested] = decider.decide(run(ids[1]!), state);
    const messages = requestedMessages([requested!]);
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(messages[4]).toEqual({ role: 'assistant', content: 'plan v1' });
    expect(messages[5]?.content).toMatch(/Reviewer feedback[\s\S]*split task 3[\s\S]*Phase PLANNING/);
    // Answered again, held again; approved, the feedback leaves the prompts.
    given(afterReject)
      .when(complete('plan v2'))
      .then([event('ApprovalRequested', { phase: 'PLANNING', aiResponse: 'plan v2' })]);
    const approved = stateAfter(gated(), complete(), complete('plan v1'), reject('split task 3'), complete('plan v2'), approve());
    expect(approved).toMatchObject({ current: 'IMPLEMENTATION', feedback: [] });
    expect(approved.phases.at(-1)).toMatchObject({ phase: 'PLANNING', aiResponse: 'plan v2' });
  });
});

describe('approval gates under auto-advance', () => {
  const auto = () => gated({ autoAdvance: true, firstCallId: ids[0] });

  it("holds a model's gated answer: no next call until it is approved", () => {
    const discovery = history(auto(), result(ids[0]!, answer('DISCOVERY'), ids[1]));
    given(discovery)
      .when(result(ids[1]!, answer('PLANNING'), ids[2]))
      .then([event('LlmCallSucceeded', { callId: ids[1] }), event('ApprovalRequested', { phase: 'PLANNING', callId: ids[1] })]);
  });

  it('requests the next phase on approval, and the phase again (with the comment) on rejection', () => {
    const waiting = history(auto(), result(ids[0]!, answer('DISCOVERY'), ids[1]), result(ids[1]!, answer('PLANNING'), ids[2]));
    given(waiting)
      .when(approve(null, ids[5]))
      .then([
        event('PhaseApproved', { phase: 'PLANNING' }),
        event('PhaseCompleted', { phase: 'PLANNING', newState: 'IMPLEMENTATION' }),
        event('LlmCallRequested', { callId: ids[5], phase: 'IMPLEMENTATION', role: 'CODE_WRITER' }),
      ]);
    const rejected = decider.decide(reject('add a rollback task', ids[6]), waiting.reduce(evolve, initialState()));
    expect(rejected).toEqual([event('PhaseRejected', { phase: 'PLANNING' }), event('LlmCallRequested', { callId: ids[6], phase: 'PLANNING' })]);
    expect(requestedMessages(rejected).at(-1)?.content).toContain('add a rollback task');
  });

  it('answers a repeated approval key with the same outcome', () => {
    const waiting = history(auto(), result(ids[0]!, answer('DISCOVERY'), ids[1]), result(ids[1]!, answer('PLANNING'), ids[2]));
    const approvedEvents = decider.decide(approve(null, ids[5]), waiting.reduce(evolve, initialState()));
    const keyed = approvedEvents.map((e) => ({ ...e, metadata: { idempotencyKey: 'k', requestHash: 'h' } }));
    const state = [...waiting, ...keyed].reduce(evolve, initialState()) as StartedWorkflow;
    expect(state.outcomes.k).toEqual({
      kind: 'approved',
      requestHash: 'h',
      previousState: 'PLANNING',
      newState: 'IMPLEMENTATION',
      nextRole: 'CODE_WRITER',
      callId: ids[5],
    });
  });
});

describe('send-back', () => {
  const atVerification = () => history(initializeDecision(), ...PHASES.slice(0, 4).map((p) => complete(`${p} answer`)));

  it('re-opens an earlier phase: the later answers superseded, the reason in its next prompt', () => {
    given(atVerification())
      .when(sendBack('IMPLEMENTATION'))
      .then([
        {
          type: 'PhaseSentBack',
          data: {
            workflowId,
            fromState: 'VERIFICATION',
            toPhase: 'IMPLEMENTATION',
            role: 'CODE_WRITER',
            reason: 'the tests found a bug',
            supersededPhases: ['IMPLEMENTATION', 'TESTING'],
            abandonedCallId: null,
          },
        },
      ]);
    const state = [...atVerification(), ...decider.decide(sendBack('IMPLEMENTATION'), atVerification().reduce(evolve, initialState()))].reduce(
      evolve,
      initialState(),
    ) as StartedWorkflow;
    expect(state).toMatchObject({ status: 'active', current: 'IMPLEMENTATION' });
    expect(state.phases.map((p) => p.phase)).toEqual(['DISCOVERY', 'PLANNING']);
    const messages = requestedMessages(decider.decide(run(ids[3]!), state));
    const all = messages.map((m) => m.content).join('\n');
    expect(all).toContain('the tests found a bug');
    expect(all).toContain('sent back to you from VERIFICATION');
    expect(all).not.toContain('IMPLEMENTATION answer');
    expect(all).not.toContain('TESTING answer');
  });

  it('refuses a phase that is not before the current one, naming to_phase; and a complete workflow', () => {
    given(atVerification())
      .when(sendBack('VERIFICATION'))
      .thenThrows(TopDogError, (e) => expect(e).toMatchObject({ code: 'CONFLICT', details: [{ field: 'to_phase' }] }));
    given(atVerification()).when(sendBack('DEPLOYMENT')).thenThrows(TopDogError, withCode('CONFLICT'));
    given(history(initializeDecision(), ...PHASES.map(() => complete())))
      .when(sendBack('DISCOVERY'))
      .thenThrows(TopDogError, withCode('CONFLICT', /COMPLETE/));
  });

  it('abandons a running call: its late result is recorded and advances nothing', () => {
    const auto = initializeDecision({ autoAdvance: true, firstCallId: ids[0] });
    const running = history(auto, result(ids[0]!, answer('DISCOVERY'), ids[1]));
    const sentBack = [...running, ...decider.decide(sendBack('DISCOVERY', 'redo', ids[2]), running.reduce(evolve, initialState()))];
    expect(sentBack.at(-2)).toEqual(event('PhaseSentBack', { abandonedCallId: ids[1] }));
    expect(sentBack.at(-1)).toEqual(event('LlmCallRequested', { callId: ids[2], phase: 'DISCOVERY' }));
    given(sentBack)
      .when(result(ids[1]!, answer('PLANNING')))
      .then([event('LlmCallSucceeded', { callId: ids[1], phase: 'PLANNING' })]);
  });
});

describe('cancel', () => {
  it('ends the workflow: CANCELLED, and every later command is 409', () => {
    given(history(gated(), complete()))
      .when(cancel())
      .then([{ type: 'WorkflowCancelled', data: { workflowId, fromState: 'PLANNING', reason: 'no longer needed', abandonedCallId: null } }]);
    const cancelled = history(gated(), complete(), complete(), cancel());
    expect(cancelled.reduce(evolve, initialState())).toMatchObject({ status: 'cancelled', current: 'CANCELLED', awaiting: null });
    for (const command of [complete(), run(ids[0]!), approve(), reject('no'), sendBack('DISCOVERY'), cancel()]) {
      given(cancelled)
        .when(command)
        .thenThrows(TopDogError, withCode('CONFLICT', /CANCELLED/));
    }
  });

  it('refuses to cancel a COMPLETE workflow', () => {
    given(history(initializeDecision(), ...PHASES.map(() => complete())))
      .when(cancel())
      .thenThrows(TopDogError, withCode('CONFLICT', /COMPLETE/));
  });

  it("records a pending call's late result, with its cost, and changes nothing else", () => {
    const auto = initializeDecision({ autoAdvance: true, firstCallId: ids[0] });
    const cancelled = history(auto, cancel());
    expect(cancelled.at(-1)).toEqual(event('WorkflowCancelled', { fromState: 'DISCOVERY', abandonedCallId: ids[0] }));
    given(cancelled)
      .when(result(ids[0]!, answer('DISCOVERY')))
      .then([event('LlmCallSucceeded', { callId: ids[0], costUsd: 0.06 })]);
    const recorded = [...cancelled, ...decider.decide(result(ids[0]!, answer('DISCOVERY')), cancelled.reduce(evolve, initialState()))];
    const after = recorded.reduce(evolve, initialState()) as StartedWorkflow;
    expect(after).toMatchObject({ status: 'cancelled', current: 'CANCELLED', phases: [], pendingCall: null, spent: { tokens: 1500, costUsd: 0.06 } });
    // Recorded once: a redelivery decides nothing.
    given(recorded)
      .when(result(ids[0]!, answer('DISCOVERY')))
      .thenNothingHappened();
  });
});
