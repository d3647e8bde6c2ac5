import { PHASES, TopDogError, type LlmCallOutcome, type Phase, type WorkflowEvent } from '@topdog/contracts';
import { examplePhaseResult, loadPromptLibrary } from '@topdog/prompts';
import { describe, expect, it } from 'vitest';
import type { DecisionContext } from './decision-context';
import { decide, type WorkflowDecision } from './workflow.decide';
import { evolve, initialState, type Workflow } from './workflow.state';

const workflowId = '0b7c1f9e-3d2a-4e5f-9a8b-7c6d5e4f3a2b';
const ids = Array.from({ length: 40 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
const context: DecisionContext = {
  prompts: loadPromptLibrary(),
  maxRepairs: 1,
  providers: { openai: null, anthropic: 'ANTHROPIC_API_KEY', local: 'LOCAL_LLM_BASE_URL', offline: null },
};

function init(extra: Partial<Extract<WorkflowDecision, { type: 'InitializeWorkflow' }>['data']> = {}): WorkflowDecision {
  return {
    type: 'InitializeWorkflow',
    data: {
      workflowId, projectId: 'p', buildId: null, userId: 'u', requirements: { goal: 'search' }, model: 'gpt-4',
      temperature: 0.2, maxTokens: 1000, autoAdvance: false, budget: { maxCostUsd: null, maxTokens: null }, ...extra,
    },
  };
}
const run = (callId: string, expectedState?: Phase): WorkflowDecision => ({ type: 'RunPhase', data: { workflowId, callId, expectedState } });
const ok = (content: string, extra: Partial<LlmCallOutcome> = {}): LlmCallOutcome =>
  ({ ok: true, content, inputTokens: 1000, outputTokens: 500, latencyMs: 12, providerRequestId: 'req_1', finishReason: 'stop', attempts: 1, ...extra }) as LlmCallOutcome;
const result = (callId: string, outcome: LlmCallOutcome, nextCallId = ids[39]!): WorkflowDecision => ({
  type: 'RecordLlmResult',
  data: { workflowId, callId, outcome, nextCallId },
});

/** Applies commands in order; returns the state and every event decided. */
function apply(commands: WorkflowDecision[], ctx = context): { state: Workflow; events: WorkflowEvent[] } {
  let state = initialState();
  const events: WorkflowEvent[] = [];
  for (const command of commands) {
    for (const e of decide(command, state, ctx)) {
      events.push(e);
      state = evolve(state, e);
    }
  }
  return { state, events };
}

function fails(commands: WorkflowDecision[], last: WorkflowDecision, code: string, message?: RegExp): TopDogError {
  const { state } = apply(commands);
  try {
    decide(last, state, context);
  } catch (err) {
    expect(err).toBeInstanceOf(TopDogError);
    expect((err as TopDogError).code).toBe(code);
    if (message) expect((err as TopDogError).message).toMatch(message);
    return err as TopDogError;
  }
  throw new Error(`expected ${code}`);
}

const answer = (phase: Phase) => `Here it is.\n\`\`\`json\n${JSON.stringify(examplePhaseResult(phase))}\n\`\`\``;

describe('running a phase', () => {
  it("requests a call with the shared prompt, its version, the model's provider and price", () => {
    const { events } = apply([init(), run(ids[0]!)]);
    const requested = events[1]!;
    expect(requested).toMatchObject({
      type: 'LlmCallRequested',
      data: {
        callId: ids[0], phase: 'DISCOVERY', role: 'Q_ASSISTANT', purpose: 'phase', model: 'gpt-4', provider: 'openai', providerModel: 'gpt-4',
        temperature: 0.2, maxTokens: 1000, promptVersion: expect.stringMatching(/^q_assistant@/), pricing: { inputPerMTok: 30, outputPerMTok: 60 },
      },
    });
    if (requested.type !== 'LlmCallRequested') throw new Error('unreachable');
    expect(requested.data.messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('You are Q Assistant') });
    expect(requested.data.messages.at(-1)).toMatchObject({ role: 'user', content: expect.stringContaining('Phase DISCOVERY') });
  });

  it('refuses an unknown workflow, a complete one, a wrong state and a second call while one runs', () => {
    fails([], run(ids[0]!), 'NOT_FOUND');
    fails([init()], run(ids[0]!, 'PLANNING'), 'CONFLICT', /in DISCOVERY, not PLANNING/);
    fails([init(), run(ids[0]!)], run(ids[1]!), 'CONFLICT', /already running/);
  });

  it('names the missing setting when the provider is not configured, and waits when nobody knows', () => {
    const err = fails([init({ model: 'claude' })], run(ids[0]!), 'PROVIDER_NOT_CONFIGURED');
    expect(err.details).toEqual([{ field: 'ANTHROPIC_API_KEY', reason: expect.stringContaining('anthropic') }]);
    const { state } = apply([init({ model: 'local:qwen' })]);
    expect(() => decide(run(ids[0]!), state, { ...context, providers: { ...context.providers, local: 'unknown' } })).toThrow(/no llm-runner/);
  });
});

describe('recording a result', () => {
  it('records the answer with tokens, cost from the requested price, latency and request id; once', () => {
    const { state, events } = apply([init(), run(ids[0]!), result(ids[0]!, ok('plain answer'))]);
    expect(events[2]).toEqual({
      type: 'LlmCallSucceeded',
      data: {
        workflowId, callId: ids[0], phase: 'DISCOVERY', content: 'plain answer', inputTokens: 1000, outputTokens: 500,
        costUsd: 0.06, latencyMs: 12, providerRequestId: 'req_1', finishReason: 'stop', attempts: 1,
      },
    });
    expect(events).toHaveLength(3); // no auto-advance: the phase waits for complete-phase
    expect(decide(result(ids[0]!, ok('again')), state, context)).toEqual([]);
    expect(state).toMatchObject({ pendingCall: null, spent: { tokens: 1500, costUsd: 0.06 } });
  });

  it('records a failure and lets the phase be run again', () => {
    const failure: LlmCallOutcome = { ok: false, errorClass: 'rate_limited', message: '429', retryable: true, httpStatus: 429, attempts: 4 };
    const { events } = apply([init(), run(ids[0]!), result(ids[0]!, failure), run(ids[1]!)]);
    expect(events.map((e) => e.type)).toEqual(['WorkflowInitialized', 'LlmCallRequested', 'LlmCallFailed', 'LlmCallRequested']);
    expect(events[2]).toMatchObject({ data: { errorClass: 'rate_limited', retryable: true, httpStatus: 429, attempts: 4 } });
  });

  it('refuses a result for a call never requested', () => {
    fails([init()], result(ids[5]!, ok('x')), 'NOT_FOUND', /never requested/);
  });

  it('records a late answer after a manual completion without advancing again', () => {
    const complete: WorkflowDecision = { type: 'CompletePhase', data: { workflowId, aiResponse: 'by hand', phaseResult: {} } };
    const { events, state } = apply([init({ autoAdvance: true, firstCallId: ids[0] }), complete, result(ids[0]!, ok(answer('DISCOVERY')))]);
    expect(events.map((e) => e.type)).toEqual(['WorkflowInitialized', 'LlmCallRequested', 'PhaseCompleted', 'LlmCallSucceeded']);
    expect(state).toMatchObject({ current: 'PLANNING', pendingCall: null });
  });
});

describe('auto-advance', () => {
  it('walks all six phases: each valid answer completes its phase and requests the next', () => {
    const commands: WorkflowDecision[] = [init({ autoAdvance: true, firstCallId: ids[0] })];
    PHASES.forEach((phase, i) => commands.push(result(ids[i]!, ok(answer(phase)), ids[i + 1])));
    const { state, events } = apply(commands);
    expect(events.map((e) => e.type)).toEqual([
      'WorkflowInitialized', 'LlmCallRequested',
      ...PHASES.slice(0, 5).flatMap(() => ['LlmCallSucceeded', 'PhaseCompleted', 'LlmCallRequested']),
      'LlmCallSucceeded', 'PhaseCompleted', 'WorkflowCompleted',
    ]);
    expect(events.find((e) => e.type === 'PhaseCompleted')).toMatchObject({ data: { aiResponse: answer('DISCOVERY'), phaseResult: examplePhaseResult('DISCOVERY') } });
    expect(state).toMatchObject({ status: 'complete', spent: { tokens: 9000 } });
    // The second phase's request carries the first phase's result in its system message.
    const planning = events.filter((e) => e.type === 'LlmCallRequested')[1]!;
    expect(JSON.stringify(planning.data)).toContain('acceptance_criteria');
  });

  it('asks again with the validation errors, a bounded number of times, then stops', () => {
    const { events, state } = apply([
      init({ autoAdvance: true, firstCallId: ids[0] }),
      result(ids[0]!, ok('no json'), ids[1]),
      result(ids[1]!, ok('```json\n{"summary": "s"}\n```'), ids[2]),
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'WorkflowInitialized', 'LlmCallRequested',
      'LlmCallSucceeded', 'PhaseOutputRejected', 'LlmCallRequested',
      'LlmCallSucceeded', 'PhaseOutputRejected',
    ]);
    const repair = events[4]!;
    if (repair.type !== 'LlmCallRequested') throw new Error('unreachable');
    expect(repair.data.purpose).toBe('repair');
    expect(repair.data.messages.slice(-2)).toEqual([
      { role: 'assistant', content: 'no json' },
      { role: 'user', content: expect.stringContaining('no fenced ```json block') },
    ]);
    expect(events[6]).toMatchObject({ data: { willRetry: false, errors: expect.arrayContaining([expect.stringContaining('requirements')]) } });
    expect(state).toMatchObject({ current: 'DISCOVERY', pendingCall: null });
  });
});

describe('budgets', () => {
  it('does not make a call whose worst case passes max_tokens', () => {
    const { events } = apply([init({ budget: { maxCostUsd: null, maxTokens: 1100 } }), run(ids[0]!)]);
    expect(events[1]).toMatchObject({ type: 'BudgetExceeded', data: { limit: 'max_tokens', limitValue: 1100, spent: 0 } });
    expect((events[1]!.data as { estimate: number }).estimate).toBeGreaterThan(1000);
  });

  it('counts what earlier calls cost against max_cost_usd', () => {
    // gpt-4: a 1,000-token answer can cost up to $0.06 plus input; the first call cost $0.06.
    const { events } = apply([init({ budget: { maxCostUsd: 0.12, maxTokens: null } }), run(ids[0]!), result(ids[0]!, ok('a')), run(ids[1]!)]);
    expect(events.map((e) => e.type)).toEqual(['WorkflowInitialized', 'LlmCallRequested', 'LlmCallSucceeded', 'BudgetExceeded']);
    expect(events[3]).toMatchObject({ data: { limit: 'max_cost_usd', spent: 0.06 } });
  });

  it('refuses a cost budget for a model without a price', () => {
    const { state } = apply([]);
    expect(() => decide(init({ model: 'openai:o9', budget: { maxCostUsd: 1, maxTokens: null } }), state, context)).toThrow(TopDogError);
  });
});
