import { connect, type NatsConnection } from '@nats-io/transport-node';
import { TopDogApiError, TopDogClient, type LiveEvent } from '@topdog/client';
import { PHASES, workflowStreamId } from '@topdog/contracts';
import { JetStreamEventStore } from '@topdog/event-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_KEY } from './support/credentials';
import { startSystem, type System } from './support/system';
import { waitFor } from './support/wait';

/** The TypeScript client against the real services. */
describe('@topdog/client', () => {
  let system: System;
  let nc: NatsConnection;
  let client: TopDogClient;

  beforeAll(async () => {
    system = await startSystem();
    nc = await connect({ servers: system.nats.url });
    client = new TopDogClient({ baseUrl: system.baseUrl, apiKey: TEST_ADMIN_KEY });
  });
  afterAll(async () => {
    await nc?.close();
    await system?.[Symbol.asyncDispose]();
  });

  it('drives a workflow with typed, validated calls and typed errors', async () => {
    const started = await client.initialize({ project_id: 'p', user_id: 'u', requirements: { goal: 'x' } }, { correlationId: 'client-corr' });
    const id = started.workflow_id;
    const status = await client.status(id);
    expect(status).toMatchObject({ current_state: 'DISCOVERY', etag: '"0"' });
    expect((await client.prompt(id)).messages[0]!.role).toBe('system');
    await client.completePhase({ workflow_id: id, ai_response: 'a' }, { ifMatch: status.etag });
    const stale = await client.completePhase({ workflow_id: id, ai_response: 'b' }, { ifMatch: status.etag }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(TopDogApiError);
    expect(stale).toMatchObject({ status: 412, code: 'PRECONDITION_FAILED', details: [{ field: 'If-Match' }] });
    const bad = await client.initialize({ project_id: '', user_id: 'u' }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', details: [{ field: 'project_id' }] });

    const records = [];
    for await (const r of client.audit(id)) records.push(r);
    expect(records.map((r) => r.type)).toEqual(['WorkflowInitialized', 'PhaseCompleted']);
    expect(records[0]).toMatchObject({ correlation_id: 'client-corr', actor: 'key:bootstrap-admin' });
    expect((await client.auditPage(id, { limit: 1 })).next_from_revision).toBe(1);
    expect(await client.verify(id)).toMatchObject({ ok: true, events: 2 });
    expect((await client.status(id, { at: 0 })).current_state).toBe('DISCOVERY');
    expect((await client.models()).models.some((m) => m.name === 'offline')).toBe(true);
    const unreachable = await new TopDogClient({ baseUrl: 'http://127.0.0.1:1' }).status(id).catch((e: unknown) => e);
    expect(unreachable).toMatchObject({ status: 0, code: 'UNREACHABLE' });
  });

  it('approves, rejects, sends back and cancels, with typed answers and errors', async () => {
    const id = (await client.initialize({ project_id: 'p', user_id: 'u', approval_required: ['DISCOVERY'] })).workflow_id;
    const held = await client.completePhase({ workflow_id: id, ai_response: 'v1' });
    expect(held).toMatchObject({ new_state: 'DISCOVERY', awaiting_approval: true });
    expect((await client.status(id)).awaiting_approval).toMatchObject({ phase: 'DISCOVERY' });
    expect(await client.reject(id, { comment: 'more detail' })).toMatchObject({ new_state: 'DISCOVERY', call_id: null });
    expect(JSON.stringify((await client.prompt(id)).messages)).toContain('more detail');
    await client.completePhase({ workflow_id: id, ai_response: 'v2' });
    const approved = await client.approve(id, { comment: 'ok' }, { idempotencyKey: `approve-${id}` });
    expect(approved).toMatchObject({ previous_state: 'DISCOVERY', new_state: 'PLANNING', awaiting_approval: false });
    expect(await client.approve(id, { comment: 'ok' }, { idempotencyKey: `approve-${id}` })).toEqual(approved);
    await client.completePhase({ workflow_id: id, ai_response: 'plan' });
    const back = await client.sendBack(id, { toPhase: 'DISCOVERY', reason: 'start over' });
    expect(back).toMatchObject({ previous_state: 'IMPLEMENTATION', new_state: 'DISCOVERY', superseded_phases: ['DISCOVERY', 'PLANNING'] });
    const { etag } = await client.status(id);
    expect(await client.cancel(id, { reason: 'done' }, { ifMatch: etag })).toEqual({
      workflow_id: id,
      previous_state: 'DISCOVERY',
      current_state: 'CANCELLED',
    });
    const after = await client.approve(id).catch((e: unknown) => e);
    expect(after).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect((await client.status(id)).cancelled).toMatchObject({ reason: 'done' });
  });

  it('lists the prompts, starts a workflow with its own prompt, forks it and compares the two', async () => {
    const prompts = await client.prompts();
    expect(prompts.map((p) => p.role)).toEqual(['Q_ASSISTANT', 'CODE_WRITER', 'TEST_AUDITOR', 'VERIFIER', 'RELEASE_MANAGER']);
    const id = (await client.initialize({ project_id: 'p', user_id: 'u', role_prompts: { Q_ASSISTANT: 'Ask about the users first.' } })).workflow_id;
    expect((await client.status(id)).prompt_versions.Q_ASSISTANT).toMatch(/^custom@/);
    expect((await client.prompt(id)).prompt_version).toMatch(/^custom@/);
    await client.completePhase({ workflow_id: id, ai_response: 'needs' });
    const fork = await client.fork(id, { from_phase: 'PLANNING', model: 'gpt-4.1' }, { idempotencyKey: `fork-${id}` });
    expect(fork).toMatchObject({ forked_from: { workflow_id: id, phase: 'PLANNING', revision: 1 } });
    expect(await client.fork(id, { from_phase: 'PLANNING', model: 'gpt-4.1' }, { idempotencyKey: `fork-${id}` })).toEqual(fork);
    expect(await client.status(fork.workflow_id)).toMatchObject({ current_state: 'PLANNING', forked_from: fork.forked_from });
    const comparison = await client.compare(id, fork.workflow_id);
    expect(comparison.phases[0]).toMatchObject({ phase: 'DISCOVERY', same_response: true, b: { copied_from: { workflow_id: id, revision: 1 } } });
    const notReached = await client.fork(id, { from_phase: 'TESTING' }).catch((e: unknown) => e);
    expect(notReached).toMatchObject({ status: 409, code: 'CONFLICT', details: [{ field: 'from_phase' }] });
  });

  it('iterates live events and resumes with Last-Event-ID across a gateway restart', async () => {
    const id = (await client.initialize({ project_id: 'p', user_id: 'u' })).workflow_id;
    const abort = new AbortController();
    const got: LiveEvent[] = [];
    let reconnects = 0;
    const consuming = (async () => {
      for await (const e of client.events(id, { signal: abort.signal, onReconnect: () => reconnects++ })) got.push(e);
    })();
    const until = (n: number) => waitFor(`${n} live events`, () => got.length >= n);
    await until(1);
    await client.completePhase({ workflow_id: id, ai_response: 'a' });
    await until(2);
    await system.kill('gateway', 'SIGKILL');
    await system.start('gateway');
    await system.waitReady();
    for (let i = 1; i < 6; i++) await client.completePhase({ workflow_id: id, ai_response: `x${i}` });
    const store = await JetStreamEventStore.create(nc, { prefix: system.prefix });
    const stored = (await store.readStream(workflowStreamId(id))).map((e) => String(e.position));
    await until(stored.length);
    abort.abort();
    await consuming;
    expect(reconnects).toBeGreaterThan(0);
    expect(got.map((e) => (e.kind === 'event' ? e.id : e.kind))).toEqual(stored);
    expect(got.filter((e) => e.kind === 'event').map((e) => (e.kind === 'event' ? e.record.type : ''))).toEqual([
      'WorkflowInitialized',
      ...PHASES.map(() => 'PhaseCompleted'),
      'WorkflowCompleted',
    ]);
  });
});
