import { Writable } from 'node:stream';
import { PHASE_OWNER, type LlmCallRequested, type TokenDelta } from '@topdog/contracts';
import { buildPrompt, loadPromptLibrary, parseStructuredAnswer, structuredAnswerJsonSchema } from '@topdog/prompts';
import { FakeLlmServer, type FakeBehaviour } from '@topdog/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicClient } from '../providers/anthropic.client';
import type { ModelClient } from '../providers/model-client';
import { OfflineClient } from '../providers/offline.client';
import { OpenAiClient } from '../providers/openai.client';
import { CallRunner, type CallRequest } from './call-runner';

const OPENAI_KEY = 'sk-test-openai-0123456789abcdef';
const ANTHROPIC_KEY = 'sk-ant-test-0123456789abcdef';
const library = loadPromptLibrary();

function request(provider: CallRequest['provider'], providerModel: string, extra: Partial<CallRequest> = {}): CallRequest {
  const prompt = buildPrompt(
    {
      workflowId: '0b7c1f9e-3d2a-4e5f-9a8b-7c6d5e4f3a2b',
      state: 'IMPLEMENTATION',
      model: providerModel,
      temperature: 0.3,
      maxTokens: 321,
      requirements: { goal: 'add search' },
      phases: [
        { phase: 'DISCOVERY', role: 'Q_ASSISTANT', aiResponse: 'reqs', phaseResult: { r: 1 } },
        { phase: 'PLANNING', role: 'Q_ASSISTANT', aiResponse: 'plan', phaseResult: { p: 1 } },
      ],
    },
    library,
  );
  return {
    workflowId: prompt.workflowId,
    callId: '11111111-2222-4333-8444-555555555555',
    phase: 'IMPLEMENTATION',
    role: PHASE_OWNER.IMPLEMENTATION,
    purpose: 'phase',
    model: providerModel,
    provider,
    providerModel,
    messages: prompt.messages,
    temperature: 0.3,
    maxTokens: 321,
    promptVersion: prompt.promptVersion!,
    pricing: { inputPerMTok: 1, outputPerMTok: 2, cachedInputPerMTok: null, cacheWritePerMTok: null },
    answerFormat: 'fenced',
    ...extra,
  } satisfies LlmCallRequested['data'];
}

/** A runner over one client, with its deltas and log lines kept for assertions. */
function runnerFor(client: ModelClient, options: { timeoutMs?: number; maxAttempts?: number } = {}) {
  const deltas: TokenDelta[] = [];
  const logLines: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  );
  const runner = new CallRunner({
    clientFor: (p) => (p === client.provider ? client : undefined),
    missingSetting: () => 'OPENAI_API_KEY',
    publishDelta: (d) => deltas.push(d),
    timeoutMs: options.timeoutMs ?? 5_000,
    maxAttempts: options.maxAttempts ?? 4,
    backoff: { baseMs: 20, maxMs: 200, retryAfterMaxMs: 5_000 },
    secrets: [OPENAI_KEY, ANTHROPIC_KEY],
    logger,
  });
  return { runner, deltas, logLines };
}

const never = new AbortController().signal;

describe('model calls through the real SDKs against local servers', () => {
  let openai: FakeLlmServer;
  let anthropic: FakeLlmServer;
  let openAiClient: OpenAiClient;
  let anthropicClient: AnthropicClient;

  beforeAll(async () => {
    openai = await FakeLlmServer.start('openai', { apiKey: OPENAI_KEY });
    anthropic = await FakeLlmServer.start('anthropic', { apiKey: ANTHROPIC_KEY });
    openAiClient = await OpenAiClient.create({ provider: 'openai', apiKey: OPENAI_KEY, baseUrl: openai.url, structuredOutput: true });
    anthropicClient = await AnthropicClient.create({ apiKey: ANTHROPIC_KEY, baseUrl: anthropic.url, structuredOutput: true });
  });
  afterAll(async () => {
    await openai.close();
    await anthropic.close();
  });

  it('OpenAI: streams the answer, counts tokens, and sends the role prompt, history, model and parameters', async () => {
    openai.respondWith({ kind: 'answer', content: 'Implemented. ```json\n{}\n```', inputTokens: 1234, outputTokens: 56 });
    const { runner, deltas } = runnerFor(openAiClient);
    const before = openai.calls.length;
    const result = await runner.run(request('openai', 'gpt-4.1'), never);
    expect(result.outcome).toMatchObject({
      ok: true,
      content: 'Implemented. ```json\n{}\n```',
      inputTokens: 1234,
      outputTokens: 56,
      attempts: 1,
      finishReason: 'stop',
    });
    if (result.outcome.ok) expect(result.outcome.providerRequestId).toMatch(/^req_fake_/);
    expect(deltas.map((d) => d.delta).join('')).toBe('Implemented. ```json\n{}\n```');
    expect(deltas.every((d) => d.attempt === 1 && d.callId === '11111111-2222-4333-8444-555555555555')).toBe(true);

    const sent = openai.calls[before]!;
    expect(sent.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(sent.headers['x-client-request-id']).toBe('11111111-2222-4333-8444-555555555555');
    expect(sent.body).toMatchObject({ model: 'gpt-4.1', temperature: 0.3, max_completion_tokens: 321, stream: true, stream_options: { include_usage: true } });
    const messages = sent.body!.messages as { role: string; content: string }[];
    expect(messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('You are Code Writer') });
    expect(messages[0]!.content).toContain('### PLANNING (Q_ASSISTANT)');
    expect(messages.at(-1)).toEqual({ role: 'user', content: expect.stringContaining('Phase IMPLEMENTATION') });
  });

  it('Anthropic: streams the answer with the system prompt apart and the key as a bearer token', async () => {
    anthropic.respondWith({ kind: 'answer', content: 'Claude says hi', inputTokens: 77, outputTokens: 9 });
    const { runner, deltas } = runnerFor(anthropicClient);
    const result = await runner.run(request('anthropic', 'claude-sonnet-4-6'), never);
    expect(result.outcome).toMatchObject({ ok: true, content: 'Claude says hi', inputTokens: 77, outputTokens: 9, finishReason: 'end_turn', attempts: 1 });
    expect(deltas.map((d) => d.delta).join('')).toBe('Claude says hi');
    const sent = anthropic.calls.at(-1)!;
    expect(sent.headers.authorization).toBe(`Bearer ${ANTHROPIC_KEY}`);
    expect(sent.body).toMatchObject({ model: 'claude-sonnet-4-6', max_tokens: 321, stream: true });
    // The system message's opening requirements, shared by every call of the workflow, are marked
    // for the prompt cache; the rest (role prompt, phase, earlier results) changes by phase and is not.
    expect(sent.body!.system).toEqual([
      { type: 'text', text: '## Requirements\n{\n  "goal": "add search"\n}', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: expect.stringMatching(/^You are Code Writer[\s\S]*### PLANNING/) },
    ]);
    expect((sent.body!.messages as { role: string }[]).map((m) => m.role)).toEqual(['user']);
  });

  describe('in structured mode', () => {
    const document = '# Implementation\n\nChanged `src/search.ts`: a "fuzzy" match — done.';
    const answer = JSON.stringify({ document, result: { summary: 'done', changes: [{ path: 'src/search.ts', description: 'fuzzy match' }] } });

    it("OpenAI: asks for the phase's strict JSON Schema, records the JSON answer, and streams only the document's text", async () => {
      openai.respondWith({ kind: 'answer', content: answer });
      const { runner, deltas } = runnerFor(openAiClient);
      const result = await runner.run(request('openai', 'gpt-4.1', { answerFormat: 'structured' }), never);
      expect(result.outcome).toMatchObject({ ok: true, content: answer });
      expect(deltas.map((d) => d.delta).join('')).toBe(document);
      expect(deltas.length).toBeGreaterThan(2); // streamed as it came, not at the end
      expect(openai.calls.at(-1)!.body!.response_format).toEqual({
        type: 'json_schema',
        json_schema: { name: 'implementation_answer', strict: true, schema: structuredAnswerJsonSchema('IMPLEMENTATION') },
      });
    });

    it("Anthropic: asks for the schema in Claude's JSON output format, the system prompt still cached", async () => {
      anthropic.respondWith({ kind: 'answer', content: answer });
      const { runner, deltas } = runnerFor(anthropicClient);
      const result = await runner.run(request('anthropic', 'claude-sonnet-4-6', { answerFormat: 'structured' }), never);
      expect(result.outcome).toMatchObject({ ok: true, content: answer });
      expect(deltas.map((d) => d.delta).join('')).toBe(document);
      const sent = anthropic.calls.at(-1)!.body!;
      expect(sent.output_config).toEqual({ format: { type: 'json_schema', schema: structuredAnswerJsonSchema('IMPLEMENTATION') } });
      expect(sent.system).toEqual([
        expect.objectContaining({ cache_control: { type: 'ephemeral' } }),
        expect.not.objectContaining({ cache_control: expect.anything() }),
      ]);
    });

    it('asks a fenced answer without any schema', async () => {
      await runnerFor(openAiClient).runner.run(request('openai', 'gpt-4.1'), never);
      expect(openai.calls.at(-1)!.body).not.toHaveProperty('response_format');
      await runnerFor(anthropicClient).runner.run(request('anthropic', 'claude-sonnet-4-6'), never);
      expect(anthropic.calls.at(-1)!.body).not.toHaveProperty('output_config');
    });

    it('offline: one JSON object whose result meets the schema', async () => {
      const { runner, deltas } = runnerFor(new OfflineClient());
      const result = await runner.run(request('offline', 'offline-deterministic-v1', { answerFormat: 'structured' }), never);
      if (!result.outcome.ok) throw new Error('offline failed');
      const parsed = parseStructuredAnswer('IMPLEMENTATION', result.outcome.content);
      expect(parsed).toMatchObject({ ok: true, document: expect.stringMatching(/^Offline answer for IMPLEMENTATION\./) });
      expect(deltas.map((d) => d.delta).join('')).toBe(parsed.ok && parsed.document);
    });
  });

  it('records the input the prompt cache gave and took, as each API reports it, within the input tokens', async () => {
    openai.respondWith({ kind: 'answer', content: 'cached', inputTokens: 2000, outputTokens: 10, cachedInputTokens: 1536 });
    const fromOpenAi = await runnerFor(openAiClient).runner.run(request('openai', 'gpt-4.1'), never);
    expect(fromOpenAi.outcome).toMatchObject({ ok: true, inputTokens: 2000, cachedInputTokens: 1536, cacheWriteTokens: 0 });
    anthropic.respondWith({ kind: 'answer', content: 'cached', inputTokens: 3000, outputTokens: 10, cachedInputTokens: 2048, cacheWriteTokens: 512 });
    const fromAnthropic = await runnerFor(anthropicClient).runner.run(request('anthropic', 'claude-sonnet-4-6'), never);
    expect(fromAnthropic.outcome).toMatchObject({ ok: true, inputTokens: 3000, cachedInputTokens: 2048, cacheWriteTokens: 512 });
  });

  const retried: [string, FakeBehaviour, string][] = [
    ['a 429 with retry-after-ms', { kind: 'status', status: 429, headers: { 'retry-after-ms': '150' } }, 'rate_limited'],
    ['a 500', { kind: 'status', status: 500 }, 'server_error'],
    ['a connection dropped mid-stream', { kind: 'drop-mid-stream' }, 'connection'],
    ['malformed JSON in the stream', { kind: 'malformed' }, 'malformed_response'],
  ];
  for (const api of ['openai', 'anthropic'] as const) {
    it.each(retried)(`${api}: retries after %s and succeeds`, async (_name, fault, errorClass) => {
      const server = api === 'openai' ? openai : anthropic;
      server.respondWith(fault, { kind: 'answer', content: 'second time lucky' });
      const { runner, deltas, logLines } = runnerFor(api === 'openai' ? openAiClient : anthropicClient);
      const started = performance.now();
      const result = await runner.run(request(api, api === 'openai' ? 'gpt-4' : 'claude-haiku-4-5'), never);
      expect(result.outcome).toMatchObject({ ok: true, content: 'second time lucky', attempts: 2 });
      expect(logLines.join('')).toContain(`"errorClass":"${errorClass}"`);
      expect(
        deltas
          .filter((d) => d.attempt === 2)
          .map((d) => d.delta)
          .join(''),
      ).toBe('second time lucky');
      if (errorClass === 'rate_limited') expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    });
  }

  it('honours retry-after in seconds', async () => {
    openai.respondWith({ kind: 'status', status: 429, headers: { 'retry-after': '1' } });
    const { runner } = runnerFor(openAiClient);
    const started = performance.now();
    const result = await runner.run(request('openai', 'gpt-4'), never);
    expect(result.outcome).toMatchObject({ ok: true, attempts: 2 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('ends a hung attempt at its time limit and retries it', async () => {
    anthropic.respondWith({ kind: 'hang' });
    const { runner } = runnerFor(anthropicClient, { timeoutMs: 300 });
    const result = await runner.run(request('anthropic', 'claude'), never);
    expect(result.outcome).toMatchObject({ ok: true, attempts: 2 });
  });

  it('also times out a stream that stalls after it started', async () => {
    openai.respondWith({ kind: 'answer', content: 'slow '.repeat(20), chunkDelayMs: 100 });
    const { runner, logLines } = runnerFor(openAiClient, { timeoutMs: 400 });
    const result = await runner.run(request('openai', 'gpt-4'), never);
    expect(result.outcome).toMatchObject({ ok: true, attempts: 2 });
    expect(logLines.join('')).toContain('"errorClass":"timeout"');
  });

  it('gives up after the last attempt with the error class, status and attempts', async () => {
    openai.respondWith(...Array.from({ length: 3 }, () => ({ kind: 'status', status: 503 }) as const));
    const { runner } = runnerFor(openAiClient, { maxAttempts: 3 });
    const result = await runner.run(request('openai', 'gpt-4'), never);
    expect(result.outcome).toEqual({ ok: false, errorClass: 'server_error', message: expect.any(String), retryable: true, httpStatus: 503, attempts: 3 });
  });

  it('does not retry other 4xx', async () => {
    const before = anthropic.calls.length;
    anthropic.respondWith({ kind: 'status', status: 400, message: 'messages: bad shape' });
    const { runner } = runnerFor(anthropicClient);
    const result = await runner.run(request('anthropic', 'claude'), never);
    expect(result.outcome).toMatchObject({ ok: false, errorClass: 'bad_request', retryable: false, httpStatus: 400, attempts: 1 });
    expect(anthropic.calls.length - before).toBe(1);
  });

  it('never lets a key reach the outcome or the logs, even when the provider echoes it', async () => {
    const wrongKey = 'sk-wrong-key-abcdefghijklmnop';
    const client = await OpenAiClient.create({ provider: 'openai', apiKey: wrongKey, baseUrl: openai.url, structuredOutput: true });
    const { runner, logLines } = runnerFor(client);
    const result = await runner.run(request('openai', 'gpt-4'), never);
    expect(result.outcome).toMatchObject({ ok: false, errorClass: 'authentication', httpStatus: 401, attempts: 1 });
    const everything = JSON.stringify(result) + logLines.join('');
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain(wrongKey);
    expect(everything).not.toContain(OPENAI_KEY);
  });

  it('local: any OpenAI-compatible server, with max_tokens; one without the mode is sent no schema', async () => {
    // A local server usually wants no key; this one has no structured-output mode (a schema would be a 400).
    const keyless = await FakeLlmServer.start('openai', { structuredOutput: false });
    try {
      const client = await OpenAiClient.create({ provider: 'local', apiKey: 'not-needed', baseUrl: keyless.url, structuredOutput: false });
      const { runner, deltas } = runnerFor(client);
      const result = await runner.run(request('local', 'llama3'), never);
      expect(result.outcome).toMatchObject({ ok: true });
      expect(keyless.calls[0]!.body).toMatchObject({ model: 'llama3', max_tokens: 321 });
      expect(client.provider).toBe('local');
      // Asked for a structured answer anyway (an orchestrator that had not heard of the setting
      // yet): the prompt asks for the JSON object, the schema is not sent, the document streams.
      keyless.respondWith({ kind: 'answer', content: JSON.stringify({ document: 'Doc.', result: {} }) });
      const structured = await runner.run(request('local', 'llama3', { answerFormat: 'structured' }), never);
      expect(structured.outcome).toMatchObject({ ok: true });
      expect(keyless.calls[1]!.body).not.toHaveProperty('response_format');
      expect(
        deltas
          .filter((d) => d.attempt === 1)
          .map((d) => d.delta)
          .join(''),
      ).toContain('Doc.');
    } finally {
      await keyless.close();
    }
  });

  it('offline: the same answer for the same request, without a network', async () => {
    const { runner, deltas } = runnerFor(new OfflineClient());
    const a = await runner.run(request('offline', 'offline-deterministic-v1'), never);
    const b = await runner.run(request('offline', 'offline-deterministic-v1'), never);
    expect({ ...a.outcome, latencyMs: 0 }).toEqual({ ...b.outcome, latencyMs: 0 });
    expect(a.outcome).toMatchObject({ ok: true, content: expect.stringContaining('```json') });
    expect(deltas.length).toBeGreaterThan(2);
  });

  it('fails at once when the provider is not configured, naming the setting', async () => {
    const { runner } = runnerFor(new OfflineClient());
    const result = await runner.run(request('openai', 'gpt-4'), never);
    expect(result.outcome).toMatchObject({ ok: false, errorClass: 'not_configured', retryable: false, message: expect.stringContaining('OPENAI_API_KEY') });
  });
});
