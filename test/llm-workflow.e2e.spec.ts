import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  LLM_REQUEST_QUEUE,
  llmCallStreamName,
  llmCallSubject,
  PHASES,
  PUBLICATIONS,
  workflowStreamId,
  type QueuedLlmCall,
  type TokenDelta,
} from '@topdog/contracts';
import { JetStreamEventStore, type StoredEvent } from '@topdog/event-store';
import { subscribe } from '@topdog/runtime';
import { FakeLlmServer } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redeliverEveryCallRequest } from './support/call-requests';
import { http, initializeBody } from './support/http';
import { phaseAnswer, phaseOf } from './support/phase-answers';
import { startSystem, type System } from './support/system';
import { poll, waitForStatus } from './support/wait';

const OPENAI_KEY = 'sk-e2e-secret-key-0123456789';
const ROLE_PROMPTS = [
  'You are Q Assistant',
  'You are Q Assistant',
  'You are Code Writer',
  'You are Test Auditor',
  'You are Verifier',
  'You are Release Manager',
];

/** Model calls over real processes: the llm-runner calls a local server through the real `openai` SDK. */
describe('running phases with a model', () => {
  let system: System;
  let openai: FakeLlmServer;
  let nc: NatsConnection;
  let store: JetStreamEventStore;
  const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => http(system.baseUrl, method, path, body, headers);
  const events = async (id: string): Promise<StoredEvent[]> => store.readStream(workflowStreamId(id));

  const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000) => poll(what, probe, { timeoutMs, everyMs: 100 });
  const statusWhen = (id: string, ok: (body: any) => boolean, timeoutMs?: number) => waitForStatus(system.baseUrl, id, ok, timeoutMs);

  beforeAll(async () => {
    openai = await FakeLlmServer.start('openai', { apiKey: OPENAI_KEY, answer: phaseAnswer });
    system = await startSystem({
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: openai.url,
      LLM_RETRY_BASE_MS: '20',
      LLM_REQUEST_ACK_WAIT_MS: '2000',
      LLM_UNSTORED_CALL_GRACE_MS: '3000',
      LOG_LEVEL: 'debug',
    });
    nc = await connect({ servers: system.nats.url });
    store = await JetStreamEventStore.create(nc, { prefix: system.prefix });
  });
  afterAll(async () => {
    await nc?.close();
    await system?.[Symbol.asyncDispose]();
    await openai?.close();
  });

  it('auto_advance runs all six phases: the right role prompt each time, tokens streamed live, usage and cost in status', async () => {
    const before = openai.calls.length;
    const init = await api('POST', '/api/ai-workflows/initialize', initializeBody({ auto_advance: true, temperature: 0.1, max_tokens: 500 }));
    expect(init.status, JSON.stringify(init.body)).toBe(200);
    const id = init.body.workflow_id as string;
    expect(init.body.call_id).toMatch(/^[0-9a-f-]{36}$/);
    const deltas: TokenDelta[] = [];
    const sub = subscribe(nc, system.prefix, PUBLICATIONS.tokenDelta, [id], (delta) => deltas.push(delta));

    const done = await statusWhen(id, (s) => s.is_complete);
    sub.unsubscribe();
    expect(done).toMatchObject({ current_state: 'COMPLETE', progress: 1, completed_phases: [...PHASES] });
    expect(done.usage.total).toMatchObject({ calls: 6, failed_calls: 0, input_tokens: 600 });
    expect(done.usage.total.cost_usd).toBeGreaterThan(0);
    expect(Object.keys(done.usage.by_phase)).toEqual([...PHASES]);

    const calls = openai.calls.slice(before);
    expect(calls.map((c) => phaseOf(c.body!))).toEqual([...PHASES]);
    calls.forEach((c, i) => {
      expect(c.body).toMatchObject({ model: 'gpt-4', temperature: 0.1, max_completion_tokens: 500, stream: true });
      expect((c.body!.messages as { content: string }[])[0]!.content).toContain(ROLE_PROMPTS[i]);
    });
    // The planning request carries discovery's result; the code writer sees the plan.
    expect(JSON.stringify(calls[2]!.body)).toContain('Task e2e-1');
    expect(deltas.length).toBeGreaterThan(6);

    const stored = await events(id);
    expect(stored.filter((e) => e.type === 'LlmCallSucceeded')).toHaveLength(6);
    expect(stored.filter((e) => e.type === 'PhaseCompleted').map((e) => (e.data as { phaseResult: object }).phaseResult)).toHaveLength(6);
    const requested = stored.find((e) => e.type === 'LlmCallRequested')!;
    expect(requested.data).toMatchObject({ model: 'gpt-4', provider: 'openai', promptVersion: expect.stringMatching(/^q_assistant@/) });
    expect(JSON.stringify(stored)).not.toContain(OPENAI_KEY);
    const verified = await api('GET', `/api/ai-workflows/${id}/audit/verify`);
    expect(verified.body).toMatchObject({ ok: true, events: stored.length, verified_links: stored.length });
  });

  it('run-phase without auto_advance records the answer for review; the phase waits for complete-phase', async () => {
    const id = (await api('POST', '/api/ai-workflows/initialize', initializeBody())).body.workflow_id as string;
    const run = await api('POST', `/api/ai-workflows/${id}/run-phase`, {});
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    expect(run.body).toMatchObject({ workflow_id: id, phase: 'DISCOVERY', role: 'Q_ASSISTANT', model: 'gpt-4', status: 'requested' });
    const reviewed = await statusWhen(id, (s) => s.llm.last_call?.status === 'succeeded');
    expect(reviewed).toMatchObject({
      current_state: 'DISCOVERY',
      llm: { running: null, last_call: { call_id: run.body.call_id, content: expect.stringContaining('Answer for DISCOVERY') } },
    });
    const complete = await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: reviewed.llm.last_call.content });
    expect(complete.status).toBe(200);
  });

  it('a model that fails is recorded as failed, and the phase can be run again', async () => {
    const id = (await api('POST', '/api/ai-workflows/initialize', initializeBody())).body.workflow_id as string;
    openai.respondWith({ kind: 'status', status: 400, message: 'bad request' });
    await api('POST', `/api/ai-workflows/${id}/run-phase`, {});
    const failed = await statusWhen(id, (s) => s.llm.last_call?.status === 'failed');
    expect(failed.llm).toMatchObject({ last_call: { error_class: 'bad_request' }, stopped: { reason: 'call_failed' } });
    const again = await api('POST', `/api/ai-workflows/${id}/run-phase`, {});
    expect(again.status).toBe(202);
    await statusWhen(id, (s) => s.llm.last_call?.status === 'succeeded');
    const types = (await events(id)).map((e) => e.type);
    expect(types).toEqual(['WorkflowInitialized', 'LlmCallRequested', 'LlmCallFailed', 'LlmCallRequested', 'LlmCallSucceeded']);
  });

  it('a provider without its key is a 422 naming the setting, and nothing is written', async () => {
    const id = (await api('POST', '/api/ai-workflows/initialize', initializeBody({ model: 'claude' }))).body.workflow_id as string;
    const run = await api('POST', `/api/ai-workflows/${id}/run-phase`, {});
    expect(run.status).toBe(422);
    expect(run.body.error).toMatchObject({ code: 'PROVIDER_NOT_CONFIGURED', details: [{ field: 'ANTHROPIC_API_KEY' }] });
    const auto = await api('POST', '/api/ai-workflows/initialize', initializeBody({ model: 'claude-haiku-4-5', auto_advance: true }));
    expect(auto.status).toBe(422);
    expect((await events(id)).map((e) => e.type)).toEqual(['WorkflowInitialized']);
  });

  it('a call over budget is not made: 422, BudgetExceeded recorded, status shows spent and remaining', async () => {
    const id = (await api('POST', '/api/ai-workflows/initialize', initializeBody({ max_tokens: 100, budget: { max_tokens: 50 } }))).body.workflow_id as string;
    const before = openai.calls.length;
    const run = await api('POST', `/api/ai-workflows/${id}/run-phase`, {});
    expect(run.status).toBe(422);
    expect(run.body.error).toMatchObject({ code: 'BUDGET_EXCEEDED', details: [{ field: 'budget.max_tokens' }] });
    expect(openai.calls.length).toBe(before);
    const status = await statusWhen(id, (s) => s.llm.stopped !== null);
    expect(status.usage.budget).toEqual({ max_cost_usd: null, max_tokens: 50, remaining_cost_usd: null, remaining_tokens: 50 });
    expect(status.llm.stopped.reason).toBe('budget_exceeded');
    expect((await events(id)).map((e) => e.type)).toEqual(['WorkflowInitialized', 'BudgetExceeded']);
  });

  it('reports providers (configured and reachable) without their keys, in /api/llm/providers and /readyz', async () => {
    const providers = await until('a provider check', async () => {
      const r = await api('GET', '/api/llm/providers');
      return r.body.providers?.find((p: any) => p.provider === 'openai')?.reachable === true ? r : undefined;
    });
    const byName = Object.fromEntries(providers.body.providers.map((p: any) => [p.provider, p]));
    expect(byName.openai).toMatchObject({ configured: true, reachable: true, base_url: openai.url, missing_setting: null });
    expect(byName.anthropic).toMatchObject({ configured: false, missing_setting: 'ANTHROPIC_API_KEY', reachable: null });
    expect(byName.offline).toMatchObject({ configured: true });
    const ready = await api('GET', '/readyz');
    expect(ready.body.services['llm-runner'].details.providers).toHaveLength(4);
    expect(JSON.stringify(providers.body) + JSON.stringify(ready.body) + (await system.logs('llm-runner'))).not.toContain(OPENAI_KEY);
    const models = await api('GET', '/api/llm/models');
    expect(models.body.models).toContainEqual({
      name: 'offline',
      provider: 'offline',
      provider_model: 'offline-deterministic-v1',
      input_usd_per_mtok: 0,
      output_usd_per_mtok: 0,
      cached_input_usd_per_mtok: null,
      cache_write_usd_per_mtok: null,
      structured_output: true,
    });
  });

  it('the offline model runs a whole workflow with no key and no network', async () => {
    const before = openai.calls.length;
    const init = await api('POST', '/api/ai-workflows/initialize', initializeBody({ model: 'offline', auto_advance: true }));
    const done = await statusWhen(init.body.workflow_id, (s) => s.is_complete);
    expect(done.usage.total).toMatchObject({ calls: 6, cost_usd: 0 });
    expect(openai.calls.length).toBe(before);
  });

  it('the llm-runner SIGKILLed mid-call: after a restart the workflow completes with one LlmCallSucceeded per phase', async () => {
    // The PLANNING answer streams slowly, so the runner dies while it is being received.
    const slow = { kind: 'answer' as const, chunkDelayMs: 150 };
    openai.respondWith({ kind: 'answer' }, slow);
    const before = openai.calls.length;
    const id = (await api('POST', '/api/ai-workflows/initialize', initializeBody({ auto_advance: true }))).body.workflow_id as string;
    await until('the slow call to start', async () => (openai.calls.length - before >= 2 ? true : undefined));
    await system.kill('llm-runner', 'SIGKILL');
    await system.start('llm-runner');
    const done = await statusWhen(id, (s) => s.is_complete, 60_000);
    expect(done.completed_phases).toEqual([...PHASES]);
    const stored = await events(id);
    const succeeded = stored.filter((e) => e.type === 'LlmCallSucceeded').map((e) => (e.data as { phase: string }).phase);
    expect(succeeded).toEqual([...PHASES]);
    // PLANNING was sent twice (the first answer died with the runner); every other phase once.
    expect(openai.calls.slice(before).map((c) => phaseOf(c.body!))).toEqual(['DISCOVERY', 'PLANNING', ...PHASES.slice(1)]);
  });

  it('requests delivered again after their results are recorded never reach a model again', async () => {
    const before = openai.calls.length;
    const head = await store.headPosition();
    // Replay every request ever made.
    await redeliverEveryCallRequest(nc, system.prefix);
    expect(openai.calls.length).toBe(before);
    expect(await store.headPosition()).toBe(head);
    expect(await system.logs('llm-runner')).toContain('call recorded: not calling the model');
  });

  it('drops a queued call whose commit was never stored, and one queued again by a retried command, without calling a model', async () => {
    // As an orchestrator leaves them: it queues a call before appending it, and the append failed
    // (a revision conflict, or it died); a command retried after such a failure queues the call again.
    const id = (await api('POST', '/api/ai-workflows/initialize', initializeBody({ auto_advance: true }))).body.workflow_id as string;
    await statusWhen(id, (s) => s.is_complete, 60_000);
    const requested = (await events(id)).find((e) => e.type === 'LlmCallRequested')!;
    const { position: _position, ...asQueued } = requested;
    const queued = asQueued as QueuedLlmCall;
    const neverStored: QueuedLlmCall = { ...queued, id: randomUUID(), data: { ...queued.data, callId: randomUUID() } };
    const queuedAgain: QueuedLlmCall = { ...queued, id: randomUUID() };
    const before = openai.calls.length;
    const js = jetstream(nc);
    for (const call of [neverStored, queuedAgain]) await js.publish(llmCallSubject(system.prefix, id), JSON.stringify(call));
    const jsm = await jetstreamManager(nc);
    await until('both calls to be dropped', async () => {
      const info = await jsm.consumers.info(llmCallStreamName(system.prefix), LLM_REQUEST_QUEUE.durable);
      return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
    });
    expect(openai.calls.length).toBe(before);
    const logs = await system.logs('llm-runner');
    expect(logs).toContain('call superseded: not calling the model');
    expect(logs).toContain('call unknown: not calling the model');
    expect(logs).toContain(neverStored.data.callId);
  });
});
