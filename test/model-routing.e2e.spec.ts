import { connect, type NatsConnection } from '@nats-io/transport-node';
import { PHASES, workflowStreamId, type LlmCallRequested } from '@topdog/contracts';
import { JetStreamEventStore } from '@topdog/event-store';
import { FakeLlmServer } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, initializeBody } from './support/http';
import { phaseAnswer, phaseOf } from './support/phase-answers';
import { startSystem, type System } from './support/system';
import { waitForStatus } from './support/wait';

/**
 * Which model answers which phase, over real processes: a model per role, the built-in offline
 * model as the default and a local OpenAI-wire server for one role.
 */
describe('model routing', () => {
  let system: System;
  let local: FakeLlmServer;
  let nc: NatsConnection;
  let store: JetStreamEventStore;
  const api = (method: string, path: string, body?: unknown) => http(system.baseUrl, method, path, body);

  beforeAll(async () => {
    local = await FakeLlmServer.start('openai', { answer: phaseAnswer });
    system = await startSystem({ LOCAL_LLM_BASE_URL: local.url, LLM_RETRY_BASE_MS: '20' });
    nc = await connect({ servers: system.nats.url });
    store = await JetStreamEventStore.create(nc, { prefix: system.prefix });
  });
  afterAll(async () => {
    if (system) expect(await system.refusals()).toEqual([]);
    await nc?.close();
    await system?.[Symbol.asyncDispose]();
    await local?.close();
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
    expect((sent[0]!.body!.messages as { content: string }[])[0]!.content).toMatch(/^You are Code Writer/);
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
    expect(prompt.body.messages[0].content).toMatch(/^You are Code Writer/);

    const head = await store.headPosition();
    const bad = await api('POST', '/api/ai-workflows/initialize', { ...initializeBody(), models: { VERIFIER: 'no-such-model', NOBODY: 'offline' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['models.NOBODY', 'models.VERIFIER']);
    const conflicting = await api('POST', '/api/ai-workflows/initialize', { ...initializeBody(), model: 'gpt-4', models: { default: 'offline' } });
    expect(conflicting.status).toBe(400);
    expect(conflicting.body.error.details).toEqual([expect.objectContaining({ field: 'models.default' })]);
    expect(await store.headPosition()).toBe(head);
  });
});
