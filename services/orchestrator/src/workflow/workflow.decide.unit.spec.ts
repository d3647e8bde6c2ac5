import { PHASES, TopDogError, type WorkflowEvent } from '@topdog/contracts';
import { describe, expect, it } from 'vitest';
import { loadPromptLibrary } from '@topdog/prompts';
import type { DecisionContext } from './decision-context';
import { decide, type WorkflowDecision } from './workflow.decide';
import { evolve, initialState, type WorkflowEventWithMetadata } from './workflow.state';

const workflowId = '0b7c1f9e-3d2a-4e5f-9a8b-7c6d5e4f3a2b';
export const context: DecisionContext = {
  prompts: loadPromptLibrary(),
  maxRepairs: 2,
  providers: { openai: null, anthropic: 'ANTHROPIC_API_KEY', local: 'LOCAL_LLM_BASE_URL', offline: null },
};

const initialize: WorkflowDecision = {
  type: 'InitializeWorkflow',
  data: {
    workflowId,
    projectId: 'proj123',
    buildId: 'build456',
    userId: 'user789',
    requirements: { description: 'Build X feature' },
    model: 'gpt-4',
    temperature: 0.7,
    maxTokens: 2000,
    autoAdvance: false,
    budget: { maxCostUsd: null, maxTokens: null },
  },
};

const complete = (extra: Partial<Extract<WorkflowDecision, { type: 'CompletePhase' }>['data']> = {}): WorkflowDecision => ({
  type: 'CompletePhase',
  data: { workflowId, aiResponse: 'answer', phaseResult: { ok: true }, ...extra },
});

/** given these events, when this command: the events decided (or the error thrown). */
function given(events: WorkflowEventWithMetadata[]) {
  const state = events.reduce(evolve, initialState());
  return {
    when: (command: WorkflowDecision) => ({
      then: (expected: WorkflowEvent[]) => expect(decide(command, state, context)).toEqual(expected),
      thenFails: (code: string, message?: RegExp) => {
        let caught: unknown;
        try {
          decide(command, state, context);
        } catch (err) {
          caught = err;
        }
        expect(caught).toBeInstanceOf(TopDogError);
        expect((caught as TopDogError).code).toBe(code);
        if (message) expect((caught as TopDogError).message).toMatch(message);
      },
    }),
  };
}

/** The events of a workflow walked through its first n phases. */
function walked(n: number): WorkflowEventWithMetadata[] {
  let state = initialState();
  const events: WorkflowEventWithMetadata[] = [];
  for (const command of [initialize, ...Array.from({ length: n }, () => complete())]) {
    for (const e of decide(command, state, context)) {
      events.push(e);
      state = evolve(state, e);
    }
  }
  return events;
}

describe('workflow decider', () => {
  it('initializes a new workflow in DISCOVERY', () => {
    given([]).when(initialize).then([
      { type: 'WorkflowInitialized', data: { ...initialize.data, initialState: 'DISCOVERY' } } as WorkflowEvent,
    ]);
  });

  it('refuses to initialize a workflow twice', () => {
    given(walked(0)).when(initialize).thenFails('CONFLICT', /already exists/);
  });

  it('refuses to complete a phase of an unknown workflow', () => {
    given([]).when(complete()).thenFails('NOT_FOUND');
  });

  const transitions = [
    ['DISCOVERY', 'PLANNING', 'Q_ASSISTANT', 'Q_ASSISTANT'],
    ['PLANNING', 'IMPLEMENTATION', 'Q_ASSISTANT', 'CODE_WRITER'],
    ['IMPLEMENTATION', 'TESTING', 'CODE_WRITER', 'TEST_AUDITOR'],
    ['TESTING', 'VERIFICATION', 'TEST_AUDITOR', 'VERIFIER'],
    ['VERIFICATION', 'DEPLOYMENT', 'VERIFIER', 'RELEASE_MANAGER'],
  ] as const;
  it.each(transitions.map((t, i) => [i, ...t] as const))(
    'after %i phases completes %s → %s (owner %s, next %s)',
    (done, phase, newState, role, nextRole) => {
      given(walked(done)).when(complete({ aiResponse: `answer for ${phase}` })).then([
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
    },
  );

  it('completes DEPLOYMENT into COMPLETE and records the workflow as completed', () => {
    given(walked(5)).when(complete()).then([
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
    given(walked(6)).when(complete()).thenFails('CONFLICT', /already COMPLETE/);
  });

  it('completes only the expected state when one is named', () => {
    given(walked(1)).when(complete({ expectedState: 'DISCOVERY' })).thenFails('CONFLICT', /in PLANNING, not DISCOVERY/);
    const [event] = decide(complete({ expectedState: 'PLANNING' }), walked(1).reduce(evolve, initialState()), context);
    expect(event).toMatchObject({ type: 'PhaseCompleted', data: { phase: 'PLANNING' } });
  });

  it('folds the events into the current state, the completed phases and the outcomes by key', () => {
    const events = walked(2);
    events[1] = { ...events[1]!, metadata: { idempotencyKey: 'k1', requestHash: 'h1' } } as WorkflowEventWithMetadata;
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
    });
    expect(walked(6).reduce(evolve, initialState())).toMatchObject({ status: 'complete', current: 'COMPLETE' });
  });
});
