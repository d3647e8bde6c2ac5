import { type TopDogError, type Phase, type WorkflowEnvelope } from '@topdog/contracts';
import { decidedEvents } from '@topdog/testing/decider-specification';
import { describe, expect, it } from 'vitest';
import { forkSourceOf, type ForkDecision } from './fork.decide';
import type { WorkflowDecision } from './workflow.decide';
import { initializeDecision, testContext, withCode, workflowDecider, workflowId } from './workflow.fixture';
import { initialState } from './workflow.state';

const decider = workflowDecider();
const forkId = '7d0c2a1e-5b4f-4c3d-8e9f-0a1b2c3d4e5f';
const callId = '00000000-0000-4000-8000-000000000007';
const scope = { projects: ['*'] };
const complete = (aiResponse: string): WorkflowDecision => ({
  type: 'CompletePhase',
  data: { workflowId, aiResponse, phaseResult: { said: aiResponse }, ...scope },
});
const sendBack = (toPhase: Phase): WorkflowDecision => ({
  type: 'SendBack',
  data: { workflowId, toPhase, reason: 'redo', nextCallId: '00000000-0000-4000-8000-000000000009', ...scope },
});

/** The parent's events as the store returns them: revisions from 0, positions, an envelope. */
function stored(...commands: WorkflowDecision[]): WorkflowEnvelope[] {
  return decidedEvents(decider, commands).map((event, revision) => ({
    ...event,
    id: `e${revision}`,
    streamId: `workflow-${workflowId}`,
    revision,
    position: revision + 1,
    occurredAt: '2026-12-05T10:00:00.000Z',
    correlationId: 'c',
    causationId: null,
    actor: 'key:test',
    schemaVersion: 1,
    metadata: {},
  }));
}

const fork = (parent: WorkflowEnvelope[], extra: Partial<ForkDecision> = {}): WorkflowDecision => ({
  type: 'ForkWorkflow',
  data: {
    workflowId: forkId,
    parentWorkflowId: workflowId,
    fromPhase: 'IMPLEMENTATION',
    firstCallId: callId,
    ...scope,
    source: forkSourceOf(parent, 'hash-at-head'),
    ...extra,
  },
});

describe('fork', () => {
  const parent = stored(initializeDecision({ rolePrompts: { VERIFIER: 'Be strict.' } }), complete('needs'), complete('plan'), complete('code'));

  it("copies the parent's answers before from_phase, each naming the event it copies, and names the fork point", () => {
    const events = decider.decide(fork(parent, { model: 'claude-sonnet-4-6', requirements: { goal: 'other' } }), initialState());
    expect(events.map((e) => e.type)).toEqual(['WorkflowInitialized', 'PhaseCompleted', 'PhaseCompleted']);
    const [init, discovery, planning] = events;
    expect(init).toMatchObject({
      type: 'WorkflowInitialized',
      data: {
        workflowId: forkId,
        projectId: 'p',
        model: 'claude-sonnet-4-6',
        requirements: { goal: 'other' },
        temperature: 0.2,
        forkedFrom: { workflowId, phase: 'IMPLEMENTATION', revision: 3, hash: 'hash-at-head' },
      },
    });
    // The parent's own prompts, its custom VERIFIER prompt included, whatever the library is now.
    const parentInit = parent[0]!.type === 'WorkflowInitialized' ? parent[0]!.data : undefined;
    expect(init!.type === 'WorkflowInitialized' && init!.data.prompts).toEqual(parentInit?.prompts);
    expect(parentInit?.prompts?.VERIFIER.text).toBe('Be strict.');
    expect(parentInit?.prompts?.CODE_WRITER).toEqual(testContext.prompts.CODE_WRITER);
    expect(discovery).toEqual({
      type: 'PhaseCompleted',
      data: {
        workflowId: forkId,
        phase: 'DISCOVERY',
        role: 'Q_ASSISTANT',
        aiResponse: 'needs',
        phaseResult: { said: 'needs' },
        previousState: 'DISCOVERY',
        newState: 'PLANNING',
        nextRole: 'Q_ASSISTANT',
        copiedFrom: { workflowId, revision: 1 },
      },
    });
    expect(planning).toMatchObject({
      data: { phase: 'PLANNING', newState: 'IMPLEMENTATION', nextRole: 'CODE_WRITER', copiedFrom: { workflowId, revision: 2 } },
    });
  });

  it('copies only the current path: a phase sent back and answered again is copied as answered again', () => {
    const redone = stored(initializeDecision(), complete('needs'), complete('plan v1'), complete('code'), sendBack('PLANNING'), complete('plan v2'));
    const events = decider.decide(fork(redone, { fromPhase: 'IMPLEMENTATION' }), initialState());
    expect(events.slice(1).map((e) => e.type === 'PhaseCompleted' && [e.data.aiResponse, e.data.copiedFrom?.revision])).toEqual([
      ['needs', 1],
      ['plan v2', 5],
    ]);
  });

  it('forking from DISCOVERY copies nothing; with auto-advance the fork asks for its first phase with its own model and prompts', () => {
    const auto = stored(initializeDecision({ autoAdvance: true, firstCallId: '00000000-0000-4000-8000-000000000001' }));
    const events = decider.decide(fork(auto, { fromPhase: 'DISCOVERY', rolePrompts: { Q_ASSISTANT: 'Ask one question at a time.' } }), initialState());
    expect(events.map((e) => e.type)).toEqual(['WorkflowInitialized', 'LlmCallRequested']);
    const requested = events[1]!.type === 'LlmCallRequested' ? events[1]!.data : undefined;
    expect(requested).toMatchObject({ workflowId: forkId, callId, phase: 'DISCOVERY', model: 'gpt-4', promptVersion: expect.stringMatching(/^custom@/) });
    expect(requested?.messages[0]?.content).toMatch(/\n\nAsk one question at a time\./);
  });

  it('refuses a phase the parent has not completed, an unknown model, a parent outside the caller’s projects, and an existing id', () => {
    const thrown = (decision: WorkflowDecision, state = initialState()) => {
      try {
        decider.decide(decision, state);
      } catch (err) {
        return err as TopDogError;
      }
      throw new Error('expected the fork to be refused');
    };
    withCode('CONFLICT', /has not completed TESTING/)(thrown(fork(parent, { fromPhase: 'VERIFICATION' })));
    expect(thrown(fork(parent, { fromPhase: 'VERIFICATION' })).details).toEqual([
      { field: 'from_phase', reason: expect.stringContaining('DISCOVERY, PLANNING, IMPLEMENTATION') },
    ]);
    withCode('VALIDATION_FAILED')(thrown(fork(parent, { model: 'no-such-model' })));
    // A parent holding an answer for approval has not completed that phase.
    const held = stored(initializeDecision({ approvalRequired: ['PLANNING'] }), complete('needs'), complete('plan'));
    expect(thrown(fork(held, { fromPhase: 'IMPLEMENTATION' })).details).toEqual([
      { field: 'from_phase', reason: "the parent's completed phases are DISCOVERY (PLANNING awaits approval)" },
    ]);
    expect(decider.decide(fork(held, { fromPhase: 'PLANNING' }), initialState()).map((e) => e.type)).toEqual(['WorkflowInitialized', 'PhaseCompleted']);
    // A parent with a cost budget needs a priced model: the field to change is the fork's model.
    const budgeted = stored(initializeDecision({ budget: { maxCostUsd: 5, maxTokens: null } }), complete('needs'));
    expect(thrown(fork(budgeted, { fromPhase: 'PLANNING', model: 'openai:o9-preview' })).details).toEqual([
      { field: 'model', reason: expect.stringContaining("the parent's cost budget (max_cost_usd) needs a model with a price") },
    ]);
    withCode('NOT_FOUND')(thrown(fork(parent, { projects: ['elsewhere'] })));
    withCode('NOT_FOUND')(thrown(fork([])));
    const existing = decidedEvents(decider, [initializeDecision({ workflowId: forkId })]).reduce(decider.evolve, initialState());
    withCode('CONFLICT', /already exists/)(thrown(fork(parent), existing));
  });
});
