import { PHASES, TopDogError, type LlmCallOutcome, type LlmFailureClass, type Phase, type WorkflowEvent } from '@topdog/contracts';
import { examplePhaseResult } from '@topdog/prompts';
import { DeciderSpecification, decidedEvents } from '@topdog/testing/decider-specification';
import { describe, expect, it } from 'vitest';
import type { WorkflowDecision } from './workflow.decide';
import { initializeDecision, testContext, withCode, workflowDecider, workflowId } from './workflow.fixture';
import { evolve, initialState } from './workflow.state';

const decider = workflowDecider();
const given = DeciderSpecification.for(decider);
/** The events these commands decide in turn: the history a specification starts from. */
const history = (...commands: WorkflowDecision[]) => decidedEvents(decider, commands);
const stateAfter = (...commands: WorkflowDecision[]) => history(...commands).reduce(evolve, initialState());

const ids = Array.from({ length: 40 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

const init = initializeDecision;
const run = (callId: string, expectedState?: Phase): WorkflowDecision => ({ type: 'RunPhase', data: { workflowId, callId, expectedState, projects: ['*'] } });
const complete: WorkflowDecision = { type: 'CompletePhase', data: { workflowId, aiResponse: 'by hand', phaseResult: {}, projects: ['*'] } };
const ok = (content: string, extra: Partial<LlmCallOutcome> = {}): LlmCallOutcome =>
  ({
    ok: true,
    content,
    inputTokens: 1000,
    outputTokens: 500,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    latencyMs: 12,
    providerRequestId: 'req_1',
    finishReason: 'stop',
    attempts: 1,
    ...extra,
  }) as LlmCallOutcome;
const result = (callId: string, outcome: LlmCallOutcome, nextCallId = ids[39]!): WorkflowDecision => ({
  type: 'RecordLlmResult',
  data: { workflowId, callId, outcome, nextCallId },
});
/** An event of this type whose data has (at least) these fields. */
const event = (type: string, data: Record<string, unknown> = {}) => expect.objectContaining({ type, data: expect.objectContaining(data) });

const answer = (phase: Phase) => `Here it is.\n\`\`\`json\n${JSON.stringify(examplePhaseResult(phase))}\n\`\`\``;

describe('running a phase', () => {
  it("requests a call with the shared prompt, its version, the model's provider and price", () => {
    given(history(init()))
      .when(run(ids[0]!))
      .then([
        event('LlmCallRequested', {
          callId: ids[0],
          phase: 'DISCOVERY',
          role: 'Q_ASSISTANT',
          purpose: 'phase',
          model: 'gpt-4',
          provider: 'openai',
          providerModel: 'gpt-4',
          temperature: 0.2,
          maxTokens: 1000,
          promptVersion: expect.stringMatching(/^q_assistant@/),
          pricing: { inputPerMTok: 30, outputPerMTok: 60, cachedInputPerMTok: null, cacheWritePerMTok: null },
          messages: [
            { role: 'system', content: expect.stringContaining('You are Q Assistant') },
            { role: 'user', content: expect.stringContaining('Phase DISCOVERY') },
          ],
        }),
      ]);
  });

  it('refuses an unknown workflow, a complete one, a wrong state and a second call while one runs', () => {
    given([]).when(run(ids[0]!)).thenThrows(TopDogError, withCode('NOT_FOUND'));
    given(history(init(), ...PHASES.map(() => complete)))
      .when(run(ids[0]!))
      .thenThrows(TopDogError, withCode('CONFLICT', /already COMPLETE/));
    given(history(init()))
      .when(run(ids[0]!, 'PLANNING'))
      .thenThrows(TopDogError, withCode('CONFLICT', /in DISCOVERY, not PLANNING/));
    given(history(init(), run(ids[0]!)))
      .when(run(ids[1]!))
      .thenThrows(TopDogError, withCode('CONFLICT', /already running/));
  });

  it('names the missing setting when the provider is not configured, and waits when nobody knows', () => {
    given(history(init({ model: 'claude' })))
      .when(run(ids[0]!))
      .thenThrows(TopDogError, (err) => {
        expect(err.code).toBe('PROVIDER_NOT_CONFIGURED');
        expect(err.details).toEqual([{ field: 'ANTHROPIC_API_KEY', reason: expect.stringContaining('anthropic') }]);
      });
    const nobodyKnows = DeciderSpecification.for(workflowDecider({ ...testContext, providers: { ...testContext.providers, local: 'unknown' } }));
    nobodyKnows(history(init({ model: 'local:qwen' })))
      .when(run(ids[0]!))
      .thenThrows(TopDogError, withCode('UNAVAILABLE', /no llm-runner/));
  });
});

describe('recording a result', () => {
  it('records the answer with tokens, cost from the requested price, latency and request id; once', () => {
    // No auto-advance: the phase waits for complete-phase.
    given(history(init(), run(ids[0]!)))
      .when(result(ids[0]!, ok('plain answer')))
      .then([
        {
          type: 'LlmCallSucceeded',
          data: {
            workflowId,
            callId: ids[0]!,
            phase: 'DISCOVERY',
            model: 'gpt-4',
            content: 'plain answer',
            inputTokens: 1000,
            outputTokens: 500,
            cachedInputTokens: 0,
            cacheWriteTokens: 0,
            costUsd: 0.06,
            latencyMs: 12,
            providerRequestId: 'req_1',
            finishReason: 'stop',
            attempts: 1,
          },
        },
      ]);
    const recorded = [init(), run(ids[0]!), result(ids[0]!, ok('plain answer'))];
    given(history(...recorded))
      .when(result(ids[0]!, ok('again')))
      .thenNothingHappened();
    expect(stateAfter(...recorded)).toMatchObject({ pendingCall: null, spent: { tokens: 1500, costUsd: 0.06 } });
  });

  it('records a failure and lets the phase be run again', () => {
    const failure: LlmCallOutcome = { ok: false, errorClass: 'rate_limited', message: '429', retryable: true, httpStatus: 429, attempts: 4 };
    given(history(init(), run(ids[0]!)))
      .when(result(ids[0]!, failure))
      .then([
        {
          type: 'LlmCallFailed',
          data: {
            workflowId,
            callId: ids[0]!,
            phase: 'DISCOVERY',
            model: 'gpt-4',
            errorClass: 'rate_limited',
            message: '429',
            retryable: true,
            httpStatus: 429,
            attempts: 4,
          },
        },
      ]);
    given(history(init(), run(ids[0]!), result(ids[0]!, failure)))
      .when(run(ids[1]!))
      .then([event('LlmCallRequested', { callId: ids[1], phase: 'DISCOVERY' })]);
  });

  it('refuses a result for a call never requested', () => {
    given(history(init()))
      .when(result(ids[5]!, ok('x')))
      .thenThrows(TopDogError, withCode('NOT_FOUND', /never requested/));
  });

  it('records a late answer after a manual completion without advancing again', () => {
    const completedByHand = [init({ autoAdvance: true, firstCallId: ids[0] }), complete];
    expect(history(...completedByHand).map((e) => e.type)).toEqual(['WorkflowInitialized', 'LlmCallRequested', 'PhaseCompleted']);
    given(history(...completedByHand))
      .when(result(ids[0]!, ok(answer('DISCOVERY'))))
      .then([event('LlmCallSucceeded', { callId: ids[0], phase: 'DISCOVERY' })]);
    expect(stateAfter(...completedByHand, result(ids[0]!, ok(answer('DISCOVERY'))))).toMatchObject({ current: 'PLANNING', pendingCall: null });
  });
});

describe('auto-advance', () => {
  it('walks all six phases: each valid answer completes its phase and requests the next', () => {
    const commands: WorkflowDecision[] = [init({ autoAdvance: true, firstCallId: ids[0] })];
    PHASES.forEach((phase, i) => {
      const next = PHASES[i + 1];
      // The second phase's request carries the first phase's result in its system message.
      const carried = i === 0 ? { messages: expect.arrayContaining([{ role: 'system', content: expect.stringContaining('acceptance_criteria') }]) } : {};
      const answered = result(ids[i]!, ok(answer(phase)), ids[i + 1]);
      given(history(...commands))
        .when(answered)
        .then([
          event('LlmCallSucceeded', { callId: ids[i], phase }),
          event('PhaseCompleted', { phase, aiResponse: answer(phase), phaseResult: examplePhaseResult(phase) }),
          next ? event('LlmCallRequested', { callId: ids[i + 1], phase: next, ...carried }) : event('WorkflowCompleted', { completedPhases: [...PHASES] }),
        ]);
      commands.push(answered);
    });
    expect(stateAfter(...commands)).toMatchObject({ status: 'complete', spent: { tokens: 9000 } });
  });

  it('asks again with the validation errors, a bounded number of times, then stops', () => {
    const started = [init({ autoAdvance: true, firstCallId: ids[0] })];
    const [, requested] = history(...started);
    if (requested?.type !== 'LlmCallRequested') throw new Error('unreachable');
    const sent = requested.data.messages;
    given(history(...started))
      .when(result(ids[0]!, ok('no json'), ids[1]))
      .then([
        event('LlmCallSucceeded', { callId: ids[0] }),
        event('PhaseOutputRejected', { callId: ids[0], willRetry: true }),
        event('LlmCallRequested', {
          callId: ids[1],
          purpose: 'repair',
          messages: [...sent, { role: 'assistant', content: 'no json' }, { role: 'user', content: expect.stringContaining('no fenced ```json block') }],
        }),
      ]);
    const repaired = [...started, result(ids[0]!, ok('no json'), ids[1])];
    const stillWrong = result(ids[1]!, ok('```json\n{"summary": "s"}\n```'), ids[2]);
    given(history(...repaired))
      .when(stillWrong)
      .then([
        event('LlmCallSucceeded', { callId: ids[1] }),
        event('PhaseOutputRejected', { willRetry: false, errors: expect.arrayContaining([expect.stringContaining('requirements')]) }),
      ]);
    expect(stateAfter(...repaired, stillWrong)).toMatchObject({ current: 'DISCOVERY', pendingCall: null });
  });

  describe('in structured mode', () => {
    const structuredAnswer = (phase: Phase) => JSON.stringify({ document: `# ${phase}\n\nThe answer.`, result: examplePhaseResult(phase) });

    it('asks a model with a structured-output mode in it, where the llm-runner asks its provider so, and every other one for a fenced block', () => {
      const formatOf = (model: string, context = testContext) => {
        const [, requested] = decidedEvents(workflowDecider(context), [init({ model, autoAdvance: true, firstCallId: ids[0] })]);
        return requested?.type === 'LlmCallRequested' ? requested.data.answerFormat : undefined;
      };
      expect(formatOf('gpt-4.1')).toBe('structured');
      expect(formatOf('offline')).toBe('structured');
      expect(formatOf('gpt-4')).toBe('fenced'); // no structured-output mode
      expect(formatOf('openai:gpt-3.5-turbo')).toBe('fenced');
      const localConfigured = { ...testContext, providers: { ...testContext.providers, local: null } };
      expect(formatOf('local:qwen', localConfigured)).toBe('fenced'); // LOCAL_LLM_STRUCTURED_OUTPUT=false on the llm-runner
      expect(formatOf('local:qwen', { ...localConfigured, structuredOutput: { ...testContext.structuredOutput, local: true } })).toBe('structured');
    });

    it("walks all six phases: the document is the phase's ai_response, the result its phase_result", () => {
      const commands: WorkflowDecision[] = [init({ model: 'gpt-4.1', autoAdvance: true, firstCallId: ids[0] })];
      PHASES.forEach((phase, i) => {
        const next = PHASES[i + 1];
        const answered = result(ids[i]!, ok(structuredAnswer(phase)), ids[i + 1]);
        given(history(...commands))
          .when(answered)
          .then([
            event('LlmCallSucceeded', { callId: ids[i], phase, content: structuredAnswer(phase) }),
            event('PhaseCompleted', { phase, aiResponse: `# ${phase}\n\nThe answer.`, phaseResult: examplePhaseResult(phase) }),
            next ? event('LlmCallRequested', { callId: ids[i + 1], phase: next, answerFormat: 'structured' }) : event('WorkflowCompleted', {}),
          ]);
        commands.push(answered);
      });
      expect(stateAfter(...commands)).toMatchObject({ status: 'complete' });
    });

    it('asks a structured answer that misses its schema again in the same format, naming the fields', () => {
      const started = [init({ model: 'gpt-4.1', autoAdvance: true, firstCallId: ids[0] })];
      const missing = JSON.stringify({ document: 'Prose.', result: { summary: 's' } });
      const repair = decider.decide(result(ids[0]!, ok(missing), ids[1]), stateAfter(...started));
      expect(repair).toEqual([
        event('LlmCallSucceeded', {}),
        event('PhaseOutputRejected', { errors: expect.arrayContaining([expect.stringMatching(/^result\.requirements:/)]), willRetry: true }),
        event('LlmCallRequested', { purpose: 'repair', answerFormat: 'structured' }),
      ]);
      const asked = (repair[2] as Extract<WorkflowEvent, { type: 'LlmCallRequested' }>).data.messages.at(-1)!.content;
      expect(asked).toMatch(/one JSON object with `document` and a corrected `result`/);
      // The repaired answer completes the phase.
      const fixed = decider.decide(
        result(ids[1]!, ok(structuredAnswer('DISCOVERY')), ids[2]),
        [...history(...started), ...repair].reduce(evolve, initialState()),
      );
      expect(fixed.map((e) => e.type)).toEqual(['LlmCallSucceeded', 'PhaseCompleted', 'LlmCallRequested']);
    });
  });
});

describe('budgets', () => {
  it('does not make a call whose worst case passes max_tokens', () => {
    given(history(init({ budget: { maxCostUsd: null, maxTokens: 1100 } })))
      .when(run(ids[0]!))
      .then([
        {
          type: 'BudgetExceeded',
          data: {
            workflowId,
            phase: 'DISCOVERY',
            limit: 'max_tokens',
            limitValue: 1100,
            spent: 0,
            estimate: expect.toSatisfy((n: number) => n > 1000, 'over max_tokens'),
          },
        },
      ]);
  });

  it('counts what earlier calls cost against max_cost_usd', () => {
    // gpt-4: a 1,000-token answer can cost up to $0.06 plus input; the first call cost $0.06.
    given(history(init({ budget: { maxCostUsd: 0.12, maxTokens: null } }), run(ids[0]!), result(ids[0]!, ok('a'))))
      .when(run(ids[1]!))
      .then([event('BudgetExceeded', { limit: 'max_cost_usd', spent: 0.06 })]);
  });

  it('refuses a cost budget for a model without a price', () => {
    given([])
      .when(init({ model: 'openai:o9', budget: { maxCostUsd: 1, maxTokens: null } }))
      .thenThrows(TopDogError, withCode('VALIDATION_FAILED'));
  });

  describe('a model per role', () => {
    const perRole = initializeDecision({ models: { CODE_WRITER: 'gpt-4.1' } });
    const toImplementation = [perRole, complete, complete];

    it("calls a phase's owner's own model, at its price, and records the model with the result", () => {
      const events = decidedEvents(decider, [...toImplementation, run(ids[0]!)]);
      expect(events.at(-1)).toMatchObject({
        type: 'LlmCallRequested',
        data: { phase: 'IMPLEMENTATION', model: 'gpt-4.1', pricing: { inputPerMTok: 2, outputPerMTok: 8 } },
      });
      const recorded = decider.decide(result(ids[0]!, ok('code')), events.reduce(evolve, initialState()));
      expect(recorded[0]).toMatchObject({ type: 'LlmCallSucceeded', data: { model: 'gpt-4.1', costUsd: 0.006 } });
      const discovery = decidedEvents(decider, [perRole, run(ids[1]!)]).at(-1);
      expect(discovery).toMatchObject({ type: 'LlmCallRequested', data: { phase: 'DISCOVERY', model: 'gpt-4' } });
    });

    it('refuses an unknown model for a role, naming it; under auto-advance, a role model whose provider is not configured', () => {
      given([])
        .when(initializeDecision({ models: { VERIFIER: 'no-such-model' } }))
        .thenThrows(TopDogError, (e) => expect(e.details).toEqual([{ field: 'models.VERIFIER', reason: expect.stringContaining('no-such-model') }]));
      given([])
        .when(initializeDecision({ autoAdvance: true, firstCallId: ids[2], models: { CODE_WRITER: 'claude-sonnet-4-6' } }))
        .thenThrows(TopDogError, withCode('PROVIDER_NOT_CONFIGURED'));
      // A default no role uses is not checked.
      const everyRole = { Q_ASSISTANT: 'offline', CODE_WRITER: 'offline', TEST_AUDITOR: 'offline', VERIFIER: 'offline', RELEASE_MANAGER: 'offline' } as const;
      const started = decider.decide(initializeDecision({ model: 'claude', autoAdvance: true, firstCallId: ids[2], models: everyRole }), initialState());
      expect(started.map((e) => e.type)).toEqual(['WorkflowInitialized', 'LlmCallRequested']);
    });
  });

  it("prices cached input and cache writes at the model's own rates", () => {
    const cached = history(init({ model: 'gpt-4.1' }), run(ids[0]!));
    const [openai] = decider.decide(result(ids[0]!, ok('x', { cachedInputTokens: 800 })), cached.reduce(evolve, initialState()));
    // 200 plain input at $2, 800 cached at $0.50, 500 output at $8 per million.
    expect(openai).toMatchObject({ type: 'LlmCallSucceeded', data: { cachedInputTokens: 800, costUsd: (200 * 2 + 800 * 0.5 + 500 * 8) / 1e6 } });
    const context = { ...testContext, providers: { ...testContext.providers, anthropic: null } };
    const state = decidedEvents(workflowDecider(context), [init({ model: 'claude-sonnet-4-6' }), run(ids[0]!)]).reduce(evolve, initialState());
    const [claude] = workflowDecider(context).decide(result(ids[0]!, ok('x', { cachedInputTokens: 600, cacheWriteTokens: 300 })), state);
    // 100 plain at $3, 600 read at $0.30, 300 written at $3.75, 500 output at $15.
    expect(claude).toMatchObject({ data: { costUsd: (100 * 3 + 600 * 0.3 + 300 * 3.75 + 500 * 15) / 1e6 } });
  });

  describe('fallback chains', () => {
    const failure = (errorClass: LlmFailureClass = 'server_error'): LlmCallOutcome => ({
      ok: false,
      errorClass,
      message: '500 on every attempt',
      retryable: true,
      httpStatus: 500,
      attempts: 4,
    });
    const chained = initializeDecision({ fallbackModels: { default: ['gpt-4.1', 'gpt-4.1-mini'], CODE_WRITER: ['offline'] } });

    it('asks the next model of the chain, with the same messages, when a call fails for good; the last failure ends it', () => {
      const messagesOf = (e: WorkflowEvent | undefined) => (e?.type === 'LlmCallRequested' ? e.data.messages : []);
      const first = history(chained, run(ids[0]!));
      const sent = messagesOf(first.at(-1));
      const afterFirst = decider.decide(result(ids[0]!, failure(), ids[1]), first.reduce(evolve, initialState()));
      expect(afterFirst).toEqual([
        event('LlmCallFailed', { callId: ids[0], model: 'gpt-4', errorClass: 'server_error' }),
        event('LlmCallRequested', {
          callId: ids[1],
          purpose: 'fallback',
          model: 'gpt-4.1',
          answerFormat: 'structured',
          pricing: { inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5, cacheWritePerMTok: null },
        }),
      ]);
      // gpt-4 has no structured-output mode and gpt-4.1 has: the request is built again for it,
      // the same but for how the answer is asked for.
      const resent = messagesOf(afterFirst[1]);
      expect(sent[0]!.content).toContain('fenced ```json block');
      expect(resent[0]!.content).toContain('Answer with one JSON object');
      expect(resent.slice(1)).toEqual(sent.slice(1));
      const second = [...first, ...afterFirst];
      const afterSecond = decider.decide(result(ids[1]!, failure('connection'), ids[2]), second.reduce(evolve, initialState()));
      expect(afterSecond.map((e) => [e.type, (e.data as { model?: string }).model])).toEqual([
        ['LlmCallFailed', 'gpt-4.1'],
        ['LlmCallRequested', 'gpt-4.1-mini'],
      ]);
      // To a model asked the same way, the very same request.
      expect(messagesOf(afterSecond[1])).toBe(resent);
      const third = [...second, ...afterSecond];
      const last = decider.decide(result(ids[2]!, failure(), ids[3]), third.reduce(evolve, initialState()));
      expect(last.map((e) => e.type)).toEqual(['LlmCallFailed']);
      // A new run of the phase starts again from its own model.
      const ended = [...third, ...last].reduce(evolve, initialState());
      expect(decider.decide(run(ids[4]!), ended)).toEqual([event('LlmCallRequested', { purpose: 'phase', model: 'gpt-4' })]);
    });

    it("checks the budget at the fallback model's own prices", () => {
      const budgeted = init({ model: 'gpt-4.1-mini', fallbackModels: { default: ['claude-opus-4-1'] }, budget: { maxCostUsd: 0.01, maxTokens: null } });
      const fellBack = decider.decide(result(ids[0]!, failure(), ids[1]), stateAfter(budgeted, run(ids[0]!)));
      expect(fellBack).toEqual([
        event('LlmCallFailed', { model: 'gpt-4.1-mini' }),
        // Opus's 1,000 tokens of output alone (at $75/M) would pass $0.01: the call is not made.
        event('BudgetExceeded', { limit: 'max_cost_usd', limitValue: 0.01, estimate: expect.any(Number) }),
      ]);
      expect((fellBack[1] as Extract<WorkflowEvent, { type: 'BudgetExceeded' }>).data.estimate).toBeGreaterThan(0.075);
    });

    it('resends a failed repair, its conversation included, to the next model asked the same way', () => {
      const auto = init({ model: 'gpt-4.1', autoAdvance: true, firstCallId: ids[0], fallbackModels: { default: ['gpt-4.1-mini'] } });
      const repairing = [auto, result(ids[0]!, ok('{"document": "d", "result": {}}'), ids[1])];
      const repair = history(...repairing).at(-1)!;
      expect(repair).toMatchObject({ type: 'LlmCallRequested', data: { purpose: 'repair', answerFormat: 'structured' } });
      const fellBack = decider.decide(result(ids[1]!, failure(), ids[2]), stateAfter(...repairing));
      expect(fellBack.at(-1)).toEqual(event('LlmCallRequested', { purpose: 'fallback', model: 'gpt-4.1-mini', answerFormat: 'structured' }));
      expect((fellBack.at(-1) as Extract<WorkflowEvent, { type: 'LlmCallRequested' }>).data.messages).toEqual(
        (repair as Extract<WorkflowEvent, { type: 'LlmCallRequested' }>).data.messages,
      );
    });

    it("uses the role's own chain over the default, never replaces an answer the orchestrator refused, and repairs on the model that answered", () => {
      const implementation = history(chained, complete, complete, run(ids[0]!));
      const failed = decider.decide(result(ids[0]!, failure(), ids[1]), implementation.reduce(evolve, initialState()));
      expect(failed.at(-1)).toMatchObject({ type: 'LlmCallRequested', data: { model: 'offline', purpose: 'fallback' } });
      expect(decider.decide(result(ids[0]!, failure('result_rejected'), ids[1]), implementation.reduce(evolve, initialState())).map((e) => e.type)).toEqual([
        'LlmCallFailed',
      ]);

      const auto = init({ autoAdvance: true, firstCallId: ids[0], fallbackModels: { default: ['gpt-4.1'] } });
      const fellBack = history(auto, result(ids[0]!, failure(), ids[1]));
      const repaired = decider.decide(result(ids[1]!, ok('no json block here'), ids[2]), fellBack.reduce(evolve, initialState()));
      expect(repaired.at(-1)).toMatchObject({ type: 'LlmCallRequested', data: { purpose: 'repair', model: 'gpt-4.1' } });
    });
  });
});
