import { PHASE_OWNER, WorkflowEnvelope, type Phase, type WorkflowEvent } from '@topdog/contracts';
import { describe, expect, it } from 'vitest';
import { phaseAnswers } from './phase-answers';
import { resultDifferences } from './result-differences';
import { compareWorkflows } from './workflow-comparison';

const WF_A = '11111111-1111-4111-8111-111111111111';
const WF_B = '22222222-2222-4222-8222-222222222222';

/** A workflow's events as the store gives them back, a second apart from 12:00:00. */
function history(workflowId: string, events: WorkflowEvent[]): WorkflowEnvelope[] {
  return events.map((event, revision) =>
    WorkflowEnvelope.parse({
      ...event,
      id: `${workflowId}-${revision}`,
      streamId: `workflow-${workflowId}`,
      revision,
      position: revision + 1,
      occurredAt: new Date(Date.UTC(2026, 11, 1, 12, 0, revision)).toISOString(),
      correlationId: 'c',
      causationId: null,
      actor: 'key:test',
      schemaVersion: 1,
    }),
  );
}

const initialized = (workflowId: string, model = 'offline'): WorkflowEvent => ({
  type: 'WorkflowInitialized',
  data: {
    workflowId,
    projectId: 'p1',
    buildId: null,
    userId: 'u',
    requirements: {},
    model,
    temperature: 0.7,
    maxTokens: 1000,
    initialState: 'DISCOVERY',
    autoAdvance: true,
    budget: { maxCostUsd: null, maxTokens: null },
    approvalRequired: [],
    models: {},
    fallbackModels: {},
  },
});

const CALLS: Record<string, string> = {
  c1: 'c0000001-0000-4000-8000-000000000000',
  c2: 'c0000002-0000-4000-8000-000000000000',
  c3: 'c0000003-0000-4000-8000-000000000000',
};

const call = (workflowId: string, phase: Phase, name: string, model: string, tokens: number, costUsd: number | null): WorkflowEvent[] => {
  const callId = CALLS[name]!;
  return [
    {
      type: 'LlmCallRequested',
      data: {
        workflowId,
        callId,
        phase,
        role: PHASE_OWNER[phase],
        purpose: 'phase',
        model,
        provider: 'offline',
        providerModel: model,
        messages: [],
        temperature: 0.7,
        maxTokens: 1000,
        promptVersion: `v-${phase.toLowerCase()}`,
        pricing: { inputPerMTok: null, outputPerMTok: null, cachedInputPerMTok: null, cacheWritePerMTok: null },
        answerFormat: 'fenced',
      },
    },
    {
      type: 'LlmCallSucceeded',
      data: {
        workflowId,
        callId,
        phase,
        content: 'x',
        inputTokens: tokens,
        outputTokens: tokens,
        cachedInputTokens: 0,
        cacheWriteTokens: 0,
        costUsd,
        latencyMs: 250,
        providerRequestId: null,
        finishReason: 'stop',
        attempts: 1,
      },
    },
  ];
};

const completed = (
  workflowId: string,
  phase: Phase,
  aiResponse: string,
  phaseResult: Record<string, unknown>,
  newState: Phase | 'COMPLETE',
): WorkflowEvent => ({
  type: 'PhaseCompleted',
  data: { workflowId, phase, role: PHASE_OWNER[phase], aiResponse, phaseResult, previousState: phase, newState, nextRole: null },
});

describe('phase answers', () => {
  it("reads each phase's answer, the model and prompt of its call, what its calls took and how long it was open", () => {
    const answers = phaseAnswers(
      history(WF_A, [
        initialized(WF_A),
        ...call(WF_A, 'DISCOVERY', 'c1', 'offline', 10, 0.5),
        completed(WF_A, 'DISCOVERY', 'first', { status: 'discovered' }, 'PLANNING'),
        ...call(WF_A, 'PLANNING', 'c2', 'gpt-4', 5, null),
        ...call(WF_A, 'PLANNING', 'c3', 'gpt-4', 5, 1),
        completed(WF_A, 'PLANNING', 'plan', {}, 'IMPLEMENTATION'),
      ]),
    )!;
    expect(answers.currentState).toBe('IMPLEMENTATION');
    expect(answers.phases.DISCOVERY).toMatchObject({
      aiResponse: 'first',
      model: 'offline',
      promptVersion: 'v-discovery',
      calls: 1,
      inputTokens: 10,
      costUsd: 0.5,
      durationMs: 3_000,
    });
    // One call without a price: the phase's cost is unknown, not understated.
    expect(answers.phases.PLANNING).toMatchObject({
      model: 'gpt-4',
      calls: 2,
      inputTokens: 10,
      outputTokens: 10,
      costUsd: null,
      modelTimeMs: 500,
      durationMs: 5_000,
    });
    expect(answers.phases.IMPLEMENTATION).toBeUndefined();
    expect(answers.totals).toMatchObject({ calls: 3, inputTokens: 20, costUsd: null, durationMs: 8_000 });
  });

  it('gives a phase answered by hand no model or prompt version', () => {
    const answers = phaseAnswers(history(WF_A, [initialized(WF_A), completed(WF_A, 'DISCOVERY', 'by hand', {}, 'PLANNING')]))!;
    expect(answers.phases.DISCOVERY).toMatchObject({ model: null, promptVersion: null, calls: 0, costUsd: 0 });
  });

  it('drops the phases sent back from the path until they are answered again, and reads a cancellation', () => {
    const sentBack: WorkflowEvent = {
      type: 'PhaseSentBack',
      data: {
        workflowId: WF_A,
        fromState: 'IMPLEMENTATION',
        toPhase: 'PLANNING',
        role: 'Q_ASSISTANT',
        reason: 'r',
        supersededPhases: ['PLANNING'],
        abandonedCallId: null,
      },
    };
    const cancelled: WorkflowEvent = { type: 'WorkflowCancelled', data: { workflowId: WF_A, fromState: 'PLANNING', reason: 'stop', abandonedCallId: null } };
    const events = [
      initialized(WF_A),
      completed(WF_A, 'DISCOVERY', 'd', {}, 'PLANNING'),
      completed(WF_A, 'PLANNING', 'first plan', {}, 'IMPLEMENTATION'),
      sentBack,
    ];
    const back = phaseAnswers(history(WF_A, events))!;
    expect(back.currentState).toBe('PLANNING');
    expect(Object.keys(back.phases)).toEqual(['DISCOVERY']);
    const again = phaseAnswers(history(WF_A, [...events, completed(WF_A, 'PLANNING', 'second plan', {}, 'IMPLEMENTATION')]))!;
    expect(again.phases.PLANNING).toMatchObject({ aiResponse: 'second plan', durationMs: 1_000 });
    expect(phaseAnswers(history(WF_A, [...events, cancelled]))!.currentState).toBe('CANCELLED');
  });

  it('is undefined for events that do not start with an initialization', () => {
    expect(phaseAnswers([])).toBeUndefined();
  });
});

describe('result differences', () => {
  it('names each differing path, nested and in arrays, and where a side lacks one', () => {
    expect(
      resultDifferences({ status: 'ok', tests: { passed: 3, files: ['a', 'b'] } }, { status: 'ok', tests: { passed: 4, files: ['a'] }, extra: true }),
    ).toEqual([
      { path: 'extra', a: undefined, b: true },
      { path: 'tests.files[1]', a: 'b', b: undefined },
      { path: 'tests.passed', a: 3, b: 4 },
    ]);
    expect(resultDifferences({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
  });
});

describe('comparing two workflows', () => {
  it('puts both answers side by side with a unified diff, the results’ differences and totals', () => {
    const a = phaseAnswers(
      history(WF_A, [
        initialized(WF_A),
        ...call(WF_A, 'DISCOVERY', 'c1', 'offline', 10, 0),
        completed(WF_A, 'DISCOVERY', 'line one\nline two', { n: 1 }, 'PLANNING'),
      ]),
    )!;
    const b = phaseAnswers(
      history(WF_B, [
        initialized(WF_B, 'gpt-4'),
        ...call(WF_B, 'DISCOVERY', 'c1', 'gpt-4', 20, 0.25),
        completed(WF_B, 'DISCOVERY', 'line one\nline 2', { n: 2 }, 'PLANNING'),
      ]),
    )!;
    const comparison = compareWorkflows(a, b);
    expect(comparison.phases.map((p) => p.phase)).toEqual(['DISCOVERY', 'PLANNING', 'IMPLEMENTATION', 'TESTING', 'VERIFICATION', 'DEPLOYMENT']);
    const discovery = comparison.phases[0]!;
    expect(discovery).toMatchObject({ role: 'Q_ASSISTANT', same_response: false, result_differences: [{ path: 'n', a: 1, b: 2 }] });
    expect(discovery.a).toMatchObject({ model: 'offline', input_tokens: 10 });
    expect(discovery.b).toMatchObject({ model: 'gpt-4', cost_usd: 0.25 });
    expect(discovery.diff).toContain(`--- a/${WF_A}/DISCOVERY`);
    expect(discovery.diff).toContain(`+++ b/${WF_B}/DISCOVERY`);
    expect(discovery.diff).toContain('-line two\n+line 2');
    expect(comparison.phases[1]).toMatchObject({ a: null, b: null, diff: '', same_response: false });
    expect(comparison.a.totals).toMatchObject({ calls: 1, input_tokens: 10 });
    expect(comparison.b).toMatchObject({ model: 'gpt-4', current_state: 'PLANNING', totals: { cost_usd: 0.25 } });
  });

  it('has no diff for the same answer', () => {
    const a = phaseAnswers(history(WF_A, [initialized(WF_A), completed(WF_A, 'DISCOVERY', 'same', {}, 'PLANNING')]))!;
    const b = phaseAnswers(history(WF_B, [initialized(WF_B), completed(WF_B, 'DISCOVERY', 'same', {}, 'PLANNING')]))!;
    expect(compareWorkflows(a, b).phases[0]).toMatchObject({ same_response: true, diff: '', result_differences: [] });
  });
});
