import { createHash } from 'node:crypto';
import { PHASES, TopDogError } from '@topdog/contracts';
import { DeciderSpecification, decidedEvents } from '@topdog/testing/decider-specification';
import { describe, expect, it } from 'vitest';
import type { WorkflowDecision } from './workflow.decide';
import { initializeDecision, testContext, withCode, workflowDecider, workflowId } from './workflow.fixture';
import { evolve, initialState, type WorkflowEventWithMetadata } from './workflow.state';

const decider = workflowDecider();
const given = DeciderSpecification.for(decider);

const initialize = initializeDecision({
  projectId: 'proj123',
  buildId: 'build456',
  userId: 'user789',
  requirements: { description: 'Build X feature' },
  temperature: 0.7,
  maxTokens: 2000,
});

const complete = (extra: Partial<Extract<WorkflowDecision, { type: 'CompletePhase' }>['data']> = {}): WorkflowDecision => ({
  type: 'CompletePhase',
  data: { workflowId, aiResponse: 'answer', phaseResult: { ok: true }, projects: ['*'], ...extra },
});

/** The events of a workflow walked through its first n phases. */
const walked = (n: number): WorkflowEventWithMetadata[] => decidedEvents(decider, [initialize, ...Array.from({ length: n }, () => complete())]);

describe('workflow decider', () => {
  it('initializes a new workflow in DISCOVERY', () => {
    given([])
      .when(initialize)
      .then([
        {
          type: 'WorkflowInitialized',
          data: { ...initialize.data, initialState: 'DISCOVERY', approvalRequired: [], prompts: testContext.prompts, models: {}, fallbackModels: {} },
        },
      ]);
  });

  it("records each role's prompt as the workflow will use it, with role_prompts replacing the library's", () => {
    const [event] = decider.decide(initializeDecision({ rolePrompts: { CODE_WRITER: '  Write Rust only.  ' } }), initialState());
    const prompts = event?.type === 'WorkflowInitialized' ? event.data.prompts : undefined;
    expect(prompts?.Q_ASSISTANT).toEqual(testContext.prompts.Q_ASSISTANT);
    expect(prompts?.CODE_WRITER).toEqual({
      version: expect.stringMatching(/^custom@[0-9a-f]{12}$/),
      sha256: createHash('sha256').update('Write Rust only.').digest('hex'),
      source: 'custom',
      text: 'Write Rust only.',
    });
  });

  it('builds every prompt from the prompts recorded at the start, whatever the library is now', () => {
    const started = decidedEvents(decider, [initializeDecision({ rolePrompts: { Q_ASSISTANT: 'Ask about edge cases.' } })]);
    const changed = workflowDecider({
      ...testContext,
      prompts: { ...testContext.prompts, Q_ASSISTANT: { ...testContext.prompts.Q_ASSISTANT, text: 'new', version: 'q_assistant@000000000000' } },
    });
    const [requested] = changed.decide(
      { type: 'RunPhase', data: { workflowId, callId: '00000000-0000-4000-8000-000000000001', projects: ['*'] } },
      started.reduce(evolve, initialState()),
    );
    expect(requested).toMatchObject({ type: 'LlmCallRequested', data: { promptVersion: expect.stringMatching(/^custom@/) } });
    const system = requested?.type === 'LlmCallRequested' ? requested.data.messages[0]?.content : '';
    expect(system).toMatch(/\n\nAsk about edge cases\./);
  });

  it('refuses to initialize a workflow twice', () => {
    given(walked(0))
      .when(initialize)
      .thenThrows(TopDogError, withCode('CONFLICT', /already exists/));
  });

  it('refuses to complete a phase of an unknown workflow', () => {
    given([]).when(complete()).thenThrows(TopDogError, withCode('NOT_FOUND'));
  });

  it("answers a caller outside the workflow's project as if the workflow did not exist", () => {
    given(walked(1))
      .when(complete({ projects: ['other'] }))
      .thenThrows(TopDogError, withCode('NOT_FOUND', /not found/));
    given(walked(1))
      .when({ type: 'RunPhase', data: { workflowId, callId: '00000000-0000-4000-8000-000000000001', projects: ['other', 'more'] } })
      .thenThrows(TopDogError, withCode('NOT_FOUND', /not found/));
    const state = walked(1).reduce(evolve, initialState());
    expect(decider.decide(complete({ projects: ['proj123'] }), state).map((e) => e.type)).toEqual(['PhaseCompleted']);
  });

  const transitions = [
    ['DISCOVERY', 'PLANNING', 'Q_ASSISTANT', 'Q_ASSISTANT'],
    ['PLANNING', 'IMPLEMENTATION', 'Q_ASSISTANT', 'CODE_WRITER'],
    ['IMPLEMENTATION', 'TESTING', 'CODE_WRITER', 'TEST_AUDITOR'],
    ['TESTING', 'VERIFICATION', 'TEST_AUDITOR', 'VERIFIER'],
    ['VERIFICATION', 'DEPLOYMENT', 'VERIFIER', 'RELEASE_MANAGER'],
  ] as const;
  it.each(transitions.map((t, i) => [i, ...t] as const))('after %i phases completes %s → %s (owner %s, next %s)', (done, phase, newState, role, nextRole) => {
    given(walked(done))
      .when(complete({ aiResponse: `answer for ${phase}` }))
      .then([
        {
          type: 'PhaseCompleted',
          data: {
            workflowId,
            phase,
            role,
            aiResponse: `answer for ${phase}`,
            phaseResult: { ok: true },
            previousState: phase,
            newState,
            nextRole,
          },
        },
      ]);
  });

  it('completes DEPLOYMENT into COMPLETE and records the workflow as completed', () => {
    given(walked(5))
      .when(complete())
      .then([
        {
          type: 'PhaseCompleted',
          data: {
            workflowId,
            phase: 'DEPLOYMENT',
            role: 'RELEASE_MANAGER',
            aiResponse: 'answer',
            phaseResult: { ok: true },
            previousState: 'DEPLOYMENT',
            newState: 'COMPLETE',
            nextRole: null,
          },
        },
        { type: 'WorkflowCompleted', data: { workflowId, completedPhases: [...PHASES] } },
      ]);
  });

  it('refuses to complete a phase of a complete workflow', () => {
    given(walked(6))
      .when(complete())
      .thenThrows(TopDogError, withCode('CONFLICT', /already COMPLETE/));
  });

  it('completes only the expected state when one is named', () => {
    given(walked(1))
      .when(complete({ expectedState: 'DISCOVERY' }))
      .thenThrows(TopDogError, withCode('CONFLICT', /in PLANNING, not DISCOVERY/));
    given(walked(1))
      .when(complete({ expectedState: 'PLANNING' }))
      .then([
        {
          type: 'PhaseCompleted',
          data: {
            workflowId,
            phase: 'PLANNING',
            role: 'Q_ASSISTANT',
            aiResponse: 'answer',
            phaseResult: { ok: true },
            previousState: 'PLANNING',
            newState: 'IMPLEMENTATION',
            nextRole: 'CODE_WRITER',
          },
        },
      ]);
  });

  it('folds the events into the current state, the completed phases and the outcomes by key', () => {
    const events = walked(2);
    events[1] = { ...events[1]!, metadata: { idempotencyKey: 'k1', requestHash: 'h1' } };
    const state = events.reduce(evolve, initialState());
    expect(state).toMatchObject({ status: 'active', current: 'IMPLEMENTATION' });
    if (state.status === 'empty') throw new Error('unreachable');
    expect(state.phases.map((p) => p.phase)).toEqual(['DISCOVERY', 'PLANNING']);
    expect(state.outcomes.k1).toEqual({
      kind: 'phaseCompleted',
      requestHash: 'h1',
      previousState: 'DISCOVERY',
      newState: 'PLANNING',
      nextRole: 'Q_ASSISTANT',
      awaitingApproval: false,
    });
    expect(walked(6).reduce(evolve, initialState())).toMatchObject({ status: 'complete', current: 'COMPLETE' });
  });
});
