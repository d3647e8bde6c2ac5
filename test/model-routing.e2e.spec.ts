import { PHASES, workflowStreamId, type LlmCallRequested } from '@topdog/contracts';
import type { JetStreamEventStore } from '@topdog/event-store';
import { FakeLlmServer } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, initializeBody } from './support/http';
import { phaseAnswer, phaseOf } from './support/phase-answers';
import { startSystem, type System } from './support/system';
import { runTopdog } from './support/topdog-cli';
import { waitForStatus } from './support/wait';

const OPENAI_KEY = 'sk-e2e-model-routing-0123456789';

/**
 * Which model answers which phase, over real processes: a model per role (the built-in offline
 * model as the default and a local OpenAI-wire server for one role), and fallback chains (an
 * OpenAI-wire server that answers 500 to every model request, then the local one).
 */
describe('model routing', () => {
  let system: System;
  let local: FakeLlmServer;
  let failing: FakeLlmServer;
  let store: JetStreamEventStore;
  const api = (method: string, path: string, body?: unknown) => http(system.baseUrl, method, path, body);

  beforeAll(async () => {
    local = await FakeLlmServer.start('openai', { answer: phaseAnswer });
    failing = await FakeLlmServer.start('openai', { apiKey: OPENAI_KEY, otherwise: { kind: 'status', status: 500, message: 'overloaded' } });
    system = await startSystem({
      LOCAL_LLM_BASE_URL: local.url,
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: failing.url,
      LLM_RETRY_BASE_MS: '20',
      LLM_MAX_ATTEMPTS: '2',
    });
    store = await system.eventStore();
  });
  afterAll(async () => {
    if (system) expect(await system.refusals()).toEqual([]);
    await system?.[Symbol.asyncDispose]();
    await local?.close();
    await failing?.close();
  });

  it("sends each phase to its owner's model with its role prompt; status and usage show the models", async () => {
    const init = await api('POST', '/api/ai-workflows/initialize', {
      ...initializeBody({ auto_advance: true }),
      model: undefined,
      models: { default: 'offline', CODE_WRITER: 'local:coder' },
    });
    expect(init.status, JSON.stringify(init.body)).toBe(200);
    const id = init.body.workflow_id as string;
    const done = await waitForStatus(system.baseUrl, id, (s) => s.is_complete, 60_000);

    // Only IMPLEMENTATION reached the local server, as `coder`, with the Code Writer's prompt.
    const sent = local.calls.filter((c) => JSON.stringify(c.body).includes(id));
    expect(sent.map((c) => [phaseOf(c.body!), c.body!.model])).toEqual([['IMPLEMENTATION', 'coder']]);
    expect((sent[0]!.body!.messages as { content: string }[])[0]!.content).toMatch(/^## Requirements\n[^]*\n\nYou are Code Writer/);
    const requested = (await store.readStream(workflowStreamId(id))).filter((e) => e.type === 'LlmCallRequested') as unknown as LlmCallRequested[];
    expect(requested.map((e) => [e.data.phase, e.data.model, e.data.provider])).toEqual(
      PHASES.map((p) => (p === 'IMPLEMENTATION' ? [p, 'local:coder', 'local'] : [p, 'offline', 'offline'])),
    );

    expect(done.models).toEqual({
      Q_ASSISTANT: 'offline',
      CODE_WRITER: 'local:coder',
      TEST_AUDITOR: 'offline',
      VERIFIER: 'offline',
      RELEASE_MANAGER: 'offline',
    });
    expect(Object.keys(done.usage.by_model).sort()).toEqual(['local:coder', 'offline']);
    expect(done.usage.by_model['local:coder'].calls).toBe(1);
    expect(done.usage.by_model.offline.calls).toBe(5);
  });

  it("get-ai-prompt shows the current phase's model; a bad or conflicting model is named", async () => {
    const init = await api('POST', '/api/ai-workflows/initialize', { ...initializeBody(), model: 'offline', models: { CODE_WRITER: 'local:coder' } });
    const id = init.body.workflow_id as string;
    expect((await api('POST', `/api/ai-workflows/get-ai-prompt/${id}`)).body.model).toBe('offline');
    for (const phase of ['DISCOVERY', 'PLANNING']) await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: phase });
    const prompt = await api('POST', `/api/ai-workflows/get-ai-prompt/${id}`);
    expect(prompt.body).toMatchObject({ model: 'local:coder' });
    expect(prompt.body.messages[0].content).toMatch(/\n\nYou are Code Writer/);

    const head = await store.headPosition();
    const bad = await api('POST', '/api/ai-workflows/initialize', { ...initializeBody(), models: { VERIFIER: 'no-such-model', NOBODY: 'offline' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['models.NOBODY', 'models.VERIFIER']);
    const conflicting = await api('POST', '/api/ai-workflows/initialize', { ...initializeBody(), model: 'gpt-4', models: { default: 'offline' } });
    expect(conflicting.status).toBe(400);
    expect(conflicting.body.error.details).toEqual([expect.objectContaining({ field: 'models.default' })]);
    expect(await store.headPosition()).toBe(head);
  });

  it('falls back to the next model when a call fails for good on its own, recording each attempt with its model', async () => {
    const init = await api('POST', '/api/ai-workflows/initialize', {
      ...initializeBody({ auto_advance: true }),
      model: 'gpt-4.1-mini',
      fallback_models: ['local:rescue'],
    });
    expect(init.status, JSON.stringify(init.body)).toBe(200);
    const id = init.body.workflow_id as string;
    const done = await waitForStatus(system.baseUrl, id, (s) => s.is_complete, 60_000);

    // Every phase: two attempts at gpt-4.1-mini (500 each), then the local model, which answers.
    const refused = failing.calls.filter((c) => JSON.stringify(c.body).includes(id));
    expect(refused.map((c) => phaseOf(c.body!))).toEqual(PHASES.flatMap((p) => [p, p]));
    const rescued = local.calls.filter((c) => JSON.stringify(c.body).includes(id));
    expect(rescued.map((c) => [phaseOf(c.body!), c.body!.model])).toEqual(PHASES.map((p) => [p, 'rescue']));
    const stored = await store.readStream(workflowStreamId(id));
    const discovery = stored.filter((e) => (e.data as { phase?: string }).phase === 'DISCOVERY').map((e) => [e.type, (e.data as { model?: string }).model]);
    expect(discovery).toEqual([
      ['LlmCallRequested', 'gpt-4.1-mini'],
      ['LlmCallFailed', 'gpt-4.1-mini'],
      ['LlmCallRequested', 'local:rescue'],
      ['LlmCallSucceeded', 'local:rescue'],
      ['PhaseCompleted', undefined],
    ]);
    expect(done.usage.by_model['gpt-4.1-mini']).toMatchObject({ calls: 6, failed_calls: 6, cost_usd: 0 });
    expect(done.usage.by_model['local:rescue']).toMatchObject({ calls: 6, failed_calls: 0 });
    expect(done.llm.stopped).toBeNull();
  });

  it('topdog run follows the fallback call of a phase run by hand, and --accept takes its answer', async () => {
    const init = await api('POST', '/api/ai-workflows/initialize', { ...initializeBody(), model: 'gpt-4.1-mini', fallback_models: ['local:rescue'] });
    expect(init.status, JSON.stringify(init.body)).toBe(200);
    const id = init.body.workflow_id as string;
    const run = await runTopdog(system.baseUrl, ['run', id, '--accept']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('DISCOVERY (Q_ASSISTANT, local:rescue):');
    expect(run.stdout).toContain("[DISCOVERY completed with the model's answer]");
    const status = await api('GET', `/api/ai-workflows/status/${id}`);
    expect(status.body).toMatchObject({ current_state: 'PLANNING', completed_phases: ['DISCOVERY'] });
    expect(status.body.usage.by_model).toMatchObject({ 'gpt-4.1-mini': { failed_calls: 1 }, 'local:rescue': { calls: 1, failed_calls: 0 } });
  });
});
