import { PHASES, workflowStreamId, type LlmCallRequested, type PhaseCompleted } from '@topdog/contracts';
import type { JetStreamEventStore } from '@topdog/event-store';
import { structuredAnswerJsonSchema } from '@topdog/prompts';
import { FakeLlmServer } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, initializeBody } from './support/http';
import { phaseAnswer, phaseDocument, phaseOf } from './support/phase-answers';
import { collectSse } from './support/sse';
import { startSystem, type System } from './support/system';
import { waitFor, waitForStatus } from './support/wait';

const OPENAI_KEY = 'sk-e2e-structured-0123456789';
const ANTHROPIC_KEY = 'sk-ant-e2e-structured-0123456789';

/**
 * What the providers give, over real processes and the real SDKs: answers in each provider's
 * structured-output mode, and prompt-cache usage priced at its own rates. An
 * OpenAI-wire and an Anthropic-wire server that honour a JSON Schema (and refuse one that is not
 * strict-mode), and a local server without the mode, which the llm-runner is told about
 * (LOCAL_LLM_STRUCTURED_OUTPUT=false) and which answers plain text with a fenced block.
 */
describe('provider features: structured outputs and prompt caching', () => {
  let system: System;
  let openai: FakeLlmServer;
  let anthropic: FakeLlmServer;
  let local: FakeLlmServer;
  let store: JetStreamEventStore;
  const api = (method: string, path: string, body?: unknown) => http(system.baseUrl, method, path, body);

  beforeAll(async () => {
    openai = await FakeLlmServer.start('openai', { apiKey: OPENAI_KEY, answer: phaseAnswer });
    anthropic = await FakeLlmServer.start('anthropic', { apiKey: ANTHROPIC_KEY, answer: phaseAnswer });
    local = await FakeLlmServer.start('openai', { answer: phaseAnswer, structuredOutput: false });
    system = await startSystem({
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: openai.url,
      ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      ANTHROPIC_BASE_URL: anthropic.url,
      LOCAL_LLM_BASE_URL: local.url,
      LOCAL_LLM_STRUCTURED_OUTPUT: 'false',
    });
    store = await system.eventStore();
  });
  afterAll(async () => {
    if (system) expect(await system.refusals()).toEqual([]);
    await system?.[Symbol.asyncDispose]();
    await Promise.all([openai, anthropic, local].map((s) => s?.close()));
  });

  /** Runs a workflow on `model` under auto-advance to COMPLETE; its stored requests and completions. */
  async function runToCompletion(model: string) {
    const init = await api('POST', '/api/ai-workflows/initialize', { ...initializeBody({ auto_advance: true }), model });
    expect(init.status, JSON.stringify(init.body)).toBe(200);
    const id = init.body.workflow_id as string;
    const done = await waitForStatus(system.baseUrl, id, (s) => s.is_complete || s.llm?.stopped, 60_000);
    expect(done, JSON.stringify(done.llm)).toMatchObject({ is_complete: true, completed_phases: [...PHASES] });
    const events = await store.readStream(workflowStreamId(id));
    const requested = events.filter((e) => e.type === 'LlmCallRequested') as unknown as LlmCallRequested[];
    const completed = events.filter((e) => e.type === 'PhaseCompleted') as unknown as PhaseCompleted[];
    return { id, done, requested, completed };
  }

  it('OpenAI: every phase asked for its strict JSON Schema; the document is ai_response, the result phase_result, one call per phase', async () => {
    const { id, requested, completed } = await runToCompletion('gpt-4.1');
    expect(requested.map((e) => [e.data.phase, e.data.answerFormat, e.data.purpose])).toEqual(PHASES.map((p) => [p, 'structured', 'phase']));
    const sent = openai.calls.filter((c) => JSON.stringify(c.body).includes(id));
    expect(sent.map((c) => phaseOf(c.body!))).toEqual([...PHASES]);
    for (const call of sent) {
      const phase = phaseOf(call.body!);
      expect(call.body!.response_format).toEqual({
        type: 'json_schema',
        json_schema: { name: `${phase.toLowerCase()}_answer`, strict: true, schema: structuredAnswerJsonSchema(phase) },
      });
      expect((call.body!.messages as { content: string }[])[0]!.content).toContain('Answer with one JSON object');
    }
    expect(completed.map((e) => [e.data.phase, e.data.aiResponse])).toEqual(PHASES.map((p) => [p, phaseDocument(p)]));
    expect(completed[0]!.data.phaseResult).toMatchObject({ summary: expect.any(String), requirements: expect.any(Array) });
    // The model's answer itself is kept as it came: the last call's content is the JSON.
    const status = await api('GET', `/api/ai-workflows/status/${id}`);
    expect(status.body.llm.last_call.content).toContain('"document"');
  });

  it("Anthropic: every phase asked in Claude's JSON output format, completing all six", async () => {
    const { id, completed } = await runToCompletion('claude-sonnet-4-6');
    const sent = anthropic.calls.filter((c) => JSON.stringify(c.body).includes(id));
    expect(sent).toHaveLength(6);
    for (const call of sent) {
      expect(call.body!.output_config).toEqual({ format: { type: 'json_schema', schema: structuredAnswerJsonSchema(phaseOf(call.body!)) } });
    }
    expect(completed.map((e) => e.data.aiResponse)).toEqual(PHASES.map(phaseDocument));
  });

  it('a local server without the mode: asked for a fenced block, with no schema sent, completing all six', async () => {
    const { id, requested, completed } = await runToCompletion('local:llama3');
    expect(requested.every((e) => e.data.answerFormat === 'fenced')).toBe(true);
    const sent = local.calls.filter((c) => JSON.stringify(c.body).includes(id));
    expect(sent).toHaveLength(6);
    expect(sent.every((c) => !('response_format' in c.body!))).toBe(true);
    expect((sent[0]!.body!.messages as { content: string }[])[0]!.content).toContain('End your answer with one fenced ```json block');
    // A fenced answer is its own document, block included.
    expect(completed[0]!.data.aiResponse).toMatch(/^# DISCOVERY[\s\S]*```json\n\{"summary"/);
  });

  it('says which providers are asked in their structured-output mode, and which models have one', async () => {
    const providers = await api('GET', '/api/llm/providers');
    const structured = Object.fromEntries(
      (providers.body.providers as { provider: string; structured_output: boolean }[]).map((p) => [p.provider, p.structured_output]),
    );
    expect(structured).toEqual({ openai: true, anthropic: true, local: false, offline: true });
    const models = await api('GET', '/api/llm/models');
    const byName = Object.fromEntries((models.body.models as { name: string }[]).map((m) => [m.name, m]));
    expect(byName['gpt-4']).toMatchObject({ structured_output: false });
    expect(byName['gpt-4.1']).toMatchObject({ structured_output: true, cached_input_usd_per_mtok: 0.5 });
    expect(byName['claude-sonnet-4-6']).toMatchObject({ structured_output: true, cached_input_usd_per_mtok: 0.3, cache_write_usd_per_mtok: 3.75 });
  });

  it("streams a structured answer's document as live token deltas, never its JSON", async () => {
    openai.respondWith({ kind: 'answer', chunkDelayMs: 5 });
    const init = await api('POST', '/api/ai-workflows/initialize', { ...initializeBody(), model: 'gpt-4.1' });
    const id = init.body.workflow_id as string;
    const live = collectSse(`${system.baseUrl}/api/ai-workflows/${id}/events?types=LlmCallSucceeded,token`);
    const { messages } = live;
    await waitFor('the live stream', () => live.comments.includes('connected'));
    expect((await api('POST', `/api/ai-workflows/${id}/run-phase`, {})).status).toBe(202);
    await waitFor('the answer', () => messages.some((m) => m.event === 'LlmCallSucceeded'));
    await live.close();
    const deltas = messages.filter((m) => m.event === 'token').map((m) => (JSON.parse(m.data) as { delta: string }).delta);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(phaseDocument('DISCOVERY'));
    expect(deltas.join('')).not.toMatch(/[{}]|"document"|"result"/);

    // A person reviewing the answer before completing the phase gets it as complete-phase takes it.
    const status = await waitForStatus(system.baseUrl, id, (s) => s.llm.last_call?.status === 'succeeded');
    expect(status.llm.last_call).toMatchObject({
      content: expect.stringMatching(/^\{"document"/),
      ai_response: phaseDocument('DISCOVERY'),
      phase_result: expect.objectContaining({ summary: expect.any(String) }),
    });
  });

  it("prices what the prompt cache gave and took at the model's own rates, as each API reports it", async () => {
    const runOnce = async (model: string) => {
      const init = await api('POST', '/api/ai-workflows/initialize', { ...initializeBody(), model });
      const id = init.body.workflow_id as string;
      expect((await api('POST', `/api/ai-workflows/${id}/run-phase`, {})).status).toBe(202);
      return (await waitForStatus(system.baseUrl, id, (s) => s.llm.last_call?.status === 'succeeded')).usage;
    };
    // Claude: 2,000 plain input tokens at $3/M, 6,000 read from the cache at $0.30/M, 2,000 written to it at $3.75/M; 1,000 out at $15/M.
    anthropic.respondWith({ kind: 'answer', inputTokens: 10_000, outputTokens: 1_000, cachedInputTokens: 6_000, cacheWriteTokens: 2_000 });
    const claude = await runOnce('claude-sonnet-4-6');
    expect(claude.total).toMatchObject({ calls: 1, input_tokens: 10_000, cached_input_tokens: 6_000, output_tokens: 1_000 });
    expect(claude.total.cost_usd).toBeCloseTo((2_000 * 3 + 6_000 * 0.3 + 2_000 * 3.75 + 1_000 * 15) / 1e6, 10);
    // OpenAI: 1,536 of 2,000 input tokens read from its cache at $0.50/M, the rest at $2/M; 100 out at $8/M.
    openai.respondWith({ kind: 'answer', inputTokens: 2_000, outputTokens: 100, cachedInputTokens: 1_536 });
    const gpt = await runOnce('gpt-4.1');
    expect(gpt.by_model['gpt-4.1']).toMatchObject({ input_tokens: 2_000, cached_input_tokens: 1_536 });
    expect(gpt.total.cost_usd).toBeCloseTo((464 * 2 + 1_536 * 0.5 + 100 * 8) / 1e6, 10);
  });
});
