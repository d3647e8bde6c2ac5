import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { PHASES, REQUESTS, workflowStreamId, type CommandMetadata } from '@topdog/contracts';
import { JetStreamEventStore } from '@topdog/event-store';
import { createLogger, parseConfig, request, settle } from '@topdog/runtime';
import { startNatsServer, type NatsServerFixture } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrchestratorConfig } from './config';
import { startOrchestrator, type RunningOrchestrator } from './orchestrator';

const prefix = 'orchtest';
const logger = createLogger('orchestrator', 'silent', 'test');

const metadata = (extra: Partial<CommandMetadata> = {}): CommandMetadata => ({
  correlationId: randomUUID(),
  causationId: null,
  actor: 'user:test',
  now: new Date().toISOString(),
  ...extra,
});

describe('orchestrator over NATS', () => {
  let server: NatsServerFixture;
  let nc: NatsConnection;
  const instances: { nc: NatsConnection; running: RunningOrchestrator }[] = [];

  const startInstance = async () => {
    const conn = await connect({ servers: server.url, noAsyncTraces: true });
    const config = parseConfig(OrchestratorConfig, { NATS_URL: server.url, TOPDOG_PREFIX: prefix });
    const running = await startOrchestrator(config, conn, logger, `orch-${instances.length}`);
    instances.push({ nc: conn, running });
  };

  const initialize = async (extra: Record<string, unknown> = {}, meta: Partial<CommandMetadata> = {}) => {
    const workflowId = randomUUID();
    const reply = await settle(
      request(
        nc,
        prefix,
        REQUESTS.initializeWorkflow,
        {
          type: 'InitializeWorkflow',
          data: { workflowId, projectId: 'p', buildId: null, userId: 'u', requirements: { d: 1 }, model: 'gpt-4', temperature: 0.7, maxTokens: 2000, ...extra },
          metadata: metadata(meta),
        },
        5000,
      ),
    );
    return { workflowId, reply };
  };

  const complete = (workflowId: string, extra: Record<string, unknown> = {}, meta: Partial<CommandMetadata> = {}) =>
    settle(
      request(
        nc,
        prefix,
        REQUESTS.completePhase,
        { type: 'CompletePhase', data: { workflowId, aiResponse: 'done', phaseResult: {}, projects: ['*'], ...extra }, metadata: metadata(meta) },
        10_000,
      ),
    );

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url, noAsyncTraces: true });
    await startInstance();
  });

  afterAll(async () => {
    for (const i of instances) {
      await i.running.close();
      await i.nc.close();
    }
    await nc?.close();
    await server?.dispose();
  });

  it('initializes and walks a workflow through all six phases', async () => {
    const { workflowId, reply } = await initialize();
    expect(reply).toMatchObject({ ok: true, value: { workflowId, initialState: 'DISCOVERY', revision: 0 } });
    if (reply.ok) expect(reply.value.systemPrompt).toContain('You are Q Assistant');
    const states: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await complete(workflowId, { aiResponse: `answer ${i}` });
      if (!r.ok) throw new Error(r.error.message);
      states.push(`${r.value.previousState}->${r.value.newState}:${r.value.nextRole}`);
      expect(r.value.isComplete).toBe(i === 5);
    }
    expect(states).toEqual([
      'DISCOVERY->PLANNING:Q_ASSISTANT',
      'PLANNING->IMPLEMENTATION:CODE_WRITER',
      'IMPLEMENTATION->TESTING:TEST_AUDITOR',
      'TESTING->VERIFICATION:VERIFIER',
      'VERIFICATION->DEPLOYMENT:RELEASE_MANAGER',
      'DEPLOYMENT->COMPLETE:null',
    ]);
    const store = await JetStreamEventStore.create(nc, { prefix });
    const events = await store.readStream(workflowStreamId(workflowId));
    expect(events.map((e) => e.type)).toEqual(['WorkflowInitialized', ...PHASES.map(() => 'PhaseCompleted'), 'WorkflowCompleted']);
    expect(events[1]).toMatchObject({ actor: 'user:test', data: { aiResponse: 'answer 0', role: 'Q_ASSISTANT' } });
    const after = await complete(workflowId);
    expect(after).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('lets exactly one of twenty concurrent completions with expected_state win', async () => {
    const { workflowId } = await initialize();
    const replies = await Promise.all(Array.from({ length: 20 }, () => complete(workflowId, { expectedState: 'DISCOVERY' })));
    expect(replies.filter((r) => r.ok)).toHaveLength(1);
    expect(replies.filter((r) => !r.ok && r.error.code === 'CONFLICT')).toHaveLength(19);
  });

  it('completes exactly the six phases, in order, out of twenty concurrent completions', async () => {
    const { workflowId } = await initialize();
    const replies = await Promise.all(Array.from({ length: 20 }, () => complete(workflowId)));
    const won = replies.flatMap((r) => (r.ok ? [r.value] : []));
    expect(won.map((w) => w.previousState).sort((a, b) => PHASES.indexOf(a as never) - PHASES.indexOf(b as never))).toEqual([...PHASES]);
    expect(replies.filter((r) => !r.ok && r.error.code === 'CONFLICT')).toHaveLength(14);
  });

  it('keeps that guarantee with two orchestrator instances sharing the queue group', async () => {
    await startInstance();
    const { workflowId } = await initialize();
    const replies = await Promise.all(Array.from({ length: 20 }, () => complete(workflowId)));
    expect(replies.filter((r) => r.ok)).toHaveLength(6);
    const store = await JetStreamEventStore.create(nc, { prefix });
    const phases = (await store.readStream(workflowStreamId(workflowId)))
      .filter((e) => e.type === 'PhaseCompleted')
      .map((e) => (e.data as { phase: string }).phase);
    expect(phases).toEqual([...PHASES]);
  });

  it('applies a command once per idempotency key and answers retries the same', async () => {
    const { workflowId } = await initialize();
    const key = randomUUID();
    const first = await complete(workflowId, { aiResponse: 'x' }, { idempotencyKey: key, requestHash: 'h' });
    const again = await Promise.all([1, 2, 3].map(() => complete(workflowId, { aiResponse: 'x' }, { idempotencyKey: key, requestHash: 'h' })));
    expect(first.ok).toBe(true);
    for (const r of again) {
      expect(r.ok && first.ok && { ...r.value, position: 0 }).toEqual(first.ok && { ...first.value, position: 0 });
    }
    const reused = await complete(workflowId, { aiResponse: 'other' }, { idempotencyKey: key, requestHash: 'other' });
    expect(reused).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    const store = await JetStreamEventStore.create(nc, { prefix });
    expect((await store.readStream(workflowStreamId(workflowId))).filter((e) => e.type === 'PhaseCompleted')).toHaveLength(1);
  });

  it('completes only at the revision named by If-Match', async () => {
    const { workflowId } = await initialize();
    expect(await complete(workflowId, { expectedRevision: 3 })).toMatchObject({ ok: false, error: { code: 'PRECONDITION_FAILED' } });
    expect(await complete(workflowId, { expectedRevision: 0 })).toMatchObject({ ok: true, value: { revision: 1 } });
  });

  it('rejects unknown models, bad commands and unknown workflows with typed errors', async () => {
    const { reply } = await initialize({ model: 'gpt-imaginary' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', details: [{ field: 'model' }] } });
    const malformed = { type: 'CompletePhase', data: { workflowId: 'nope' } } as unknown as Parameters<typeof request<typeof REQUESTS.completePhase>>[3];
    const bad = await settle(request(nc, prefix, REQUESTS.completePhase, malformed, 5000));
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('VALIDATION_FAILED');
      expect(bad.error.details.map((d) => d.field)).toEqual(expect.arrayContaining(['data.workflowId', 'data.aiResponse', 'metadata']));
    }
    expect(await complete(randomUUID())).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('continues a workflow after a restart, from the stored stream', async () => {
    const { workflowId } = await initialize();
    await complete(workflowId);
    for (const i of instances.splice(0)) {
      await i.running.close();
      await i.nc.close();
    }
    await startInstance();
    expect(await complete(workflowId)).toMatchObject({ ok: true, value: { previousState: 'PLANNING', revision: 2 } });
  });
});
