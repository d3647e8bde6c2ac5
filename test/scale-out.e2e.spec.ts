import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@nats-io/transport-node';
import { PHASES, workflowStreamId, type WorkflowEvent } from '@topdog/contracts';
import type { JetStreamEventStore } from '@topdog/event-store';
import { FakeLlmServer } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redeliverEveryCallRequest } from './support/call-requests';
import { adminAuth } from './support/credentials';
import { initializeBody } from './support/http';
import { driveWorkflows } from './support/load';
import { phaseAnswer } from './support/phase-answers';
import { SERVICES, startSystem, type System } from './support/system';
import { poll } from './support/wait';

const WORKFLOWS = 200;

/**
 * Two instances of every service on a three-node cluster. Workflows run by models (the offline
 * model, and a local OpenAI-wire server for CODE_WRITER) through both gateways at once: every
 * command is answered once, every model call is made once, and what each projector shows
 * equals what the store holds. Then each service's instances are restarted one at a time under
 * load, and nothing retried with its key fails or is lost.
 */
describe('two instances of every service on a cluster', () => {
  let system: System;
  let local: FakeLlmServer;
  let store: JetStreamEventStore;

  beforeAll(async () => {
    local = await FakeLlmServer.start('openai', { answer: phaseAnswer });
    system = await startSystem({ LOCAL_LLM_BASE_URL: local.url }, { cluster: true, instances: 2 });
    store = await system.eventStore();
  });
  afterAll(async () => {
    await system?.[Symbol.asyncDispose]();
    await local?.close();
  });

  /** A command sent again with its Idempotency-Key on a 503 or a dropped connection, until it is answered otherwise. */
  async function send(baseUrl: string, path: string, body: unknown, key: string): Promise<{ status: number; body: Record<string, unknown> }> {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${baseUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'Idempotency-Key': key, ...adminAuth() },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(15_000),
        });
        if (res.status !== 503 || attempt > 100) return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      } catch {
        if (attempt > 100) throw new Error(`${path} never answered`);
      }
      await sleep(200);
    }
  }

  /** Each gateway's answer for a workflow's status (each gateway's queries may reach either projector). */
  const statusesOf = (id: string) =>
    Promise.all(
      system.baseUrls.map(async (url) => (await (await fetch(`${url}/api/ai-workflows/status/${id}`, { headers: adminAuth() })).json()) as Record<string, any>),
    );

  it('runs 200 workflows by models through both gateways: each command answered once, each model call made once, both read sides equal the store and a rebuild', async () => {
    const keys = Array.from({ length: WORKFLOWS }, () => randomUUID());
    const body = { ...initializeBody({ auto_advance: true }), model: 'offline', models: { CODE_WRITER: 'local:coder' } };
    const started = await Promise.all(keys.map((key, i) => send(system.baseUrls[i % 2]!, '/api/ai-workflows/initialize', body, key)));
    expect(started.filter((r) => r.status !== 200)).toEqual([]);
    const ids = started.map((r) => r.body.workflow_id as string);
    expect(new Set(ids).size).toBe(WORKFLOWS);
    // A retried key gets the same workflow, from either gateway.
    const again = await send(system.baseUrls[1]!, '/api/ai-workflows/initialize', body, keys[0]!);
    expect(again.body.workflow_id).toBe(ids[0]);

    await poll(
      'every workflow to complete',
      async () => {
        const done = await Promise.all(ids.map(async (id) => ((await statusesOf(id))[0]!.is_complete ? 1 : 0)));
        return done.every(Boolean) ? true : undefined;
      },
      { timeoutMs: 100_000, everyMs: 1_000 },
    );

    const wrong: string[] = [];
    const calling = (await Promise.all([0, 1].map((i) => system.logs('llm-runner', i))))
      .join('\n')
      .split('\n')
      .filter((l) => l.includes('"msg":"calling model"'));
    for (const id of ids) {
      const events = (await store.readStream(workflowStreamId(id))) as unknown as WorkflowEvent[];
      const count = (type: string) => events.filter((e) => e.type === type).length;
      const requested = events.flatMap((e) => (e.type === 'LlmCallRequested' ? [e.data.callId] : []));
      const completed = events.flatMap((e) => (e.type === 'PhaseCompleted' ? [e.data.phase] : []));
      if (JSON.stringify(completed) !== JSON.stringify(PHASES)) wrong.push(`${id}: phases ${completed.join(',')}`);
      if (count('WorkflowInitialized') !== 1 || count('WorkflowCompleted') !== 1) wrong.push(`${id}: not one start and one end`);
      if (requested.length !== 6 || count('LlmCallSucceeded') !== 6)
        wrong.push(`${id}: ${requested.length} calls requested, ${count('LlmCallSucceeded')} answered`);
      // Each requested call reached a model once: the local server counts its own, the runners log every call they make.
      const atServer = local.calls.filter((c) => JSON.stringify(c.body).includes(id)).length;
      if (atServer !== 1) wrong.push(`${id}: ${atServer} requests at the local model server`);
      for (const callId of requested) {
        const made = calling.filter((l) => l.includes(callId)).length;
        if (made !== 1) wrong.push(`${id}: call ${callId} made ${made} times`);
      }
      for (const status of await statusesOf(id)) {
        if (status.current_state !== 'COMPLETE' || status.usage?.total?.calls !== 6 || status.completed_phases.length !== 6) {
          wrong.push(`${id}: a gateway shows ${status.current_state}, ${status.usage?.total?.calls} calls`);
        }
      }
    }
    console.info(
      `scale-out: ${WORKFLOWS} workflows through two gateways; ${calling.length} model calls made for ${WORKFLOWS * 6} requested ` +
        `(${local.calls.length} at the local server); ${wrong.length} discrepancies`,
    );
    expect(wrong).toEqual([]);

    // And what the read side holds equals a rebuild: one projector empties the read models and
    // refills them from the events; both gateways (reaching either projector) answer the same after.
    const before = new Map(await Promise.all(ids.map(async (id) => [id, (await statusesOf(id))[0]] as const)));
    const rebuild = await fetch(`${system.baseUrl}/api/admin/read-models/rebuild`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminAuth() },
      body: '{}',
    });
    expect(rebuild.status).toBe(202);
    const run = (await rebuild.json()) as { instance_id: string; started_at: string };
    const head = await store.headPosition();
    await poll(
      'the rebuild to reach the head',
      async () => {
        const progress = (await (await fetch(`${system.baseUrl}/api/admin/read-models`, { headers: adminAuth() })).json()) as Record<string, unknown>;
        // That instance's run begun since the rebuild was asked for, at the head.
        const sinceAsked = Date.parse(progress.run_started_at as string) >= Date.parse(run.started_at);
        const done = progress.instance_id === run.instance_id && sinceAsked && (progress.position as number) >= head;
        return done && progress.caught_up ? true : undefined;
      },
      { timeoutMs: 60_000, everyMs: 200 },
    );
    const differ: string[] = [];
    for (const id of ids) {
      for (const status of await statusesOf(id)) {
        if (JSON.stringify(status) !== JSON.stringify(before.get(id))) differ.push(id);
      }
    }
    expect(differ).toEqual([]);
  });

  it('delivers every call request ever made again: no runner calls a model for a call either orchestrator recorded', async () => {
    const before = local.calls.length;
    const head = await store.headPosition();
    const nc = await connect({ servers: system.natsUrl.split(','), noAsyncTraces: true });
    try {
      // Every request comes again, to either runner, which asks either orchestrator whether the call still waits.
      await redeliverEveryCallRequest(nc, system.prefix, { timeoutMs: 60_000 });
    } finally {
      await nc.close();
    }
    expect(local.calls.length).toBe(before);
    expect(await store.headPosition()).toBe(head);
    const logs = (await Promise.all([0, 1].map((i) => system.logs('llm-runner', i)))).join('\n');
    expect(logs).toContain('call recorded: not calling the model');
  });

  it('restarts each service one instance at a time under load: nothing retried with its key fails or is lost', async () => {
    const load = driveWorkflows(system.baseUrls, 40);
    await poll('the load to be under way', () => (load.completed() >= 10 ? true : undefined), { timeoutMs: 60_000, everyMs: 200 });
    for (const service of SERVICES) {
      for (const instance of [0, 1]) {
        await system.kill(service, 'SIGTERM', instance);
        await system.start(service, {}, instance);
        await system.waitReady(60_000);
      }
    }
    const before = load.completed();
    await poll('the load to go on after the restarts', () => (load.completed() >= before + 10 ? true : undefined), { timeoutMs: 60_000, everyMs: 200 });
    await load.stop(30_000);

    const statuses = new Map<number, number>();
    for (const s of load.sent) statuses.set(s.status, (statuses.get(s.status) ?? 0) + 1);
    console.info(
      `rolling restart: ${load.sent.length} answers ${JSON.stringify(Object.fromEntries(statuses))}; ${load.acknowledged.size} workflows, ${load.completed()} complete`,
    );
    expect(load.unexpected).toEqual([]);
    expect(load.gaveUp).toEqual([]);
    expect(load.sent.filter((s) => s.status >= 500 && s.status !== 503)).toEqual([]);
    const lost: string[] = [];
    for (const [id, phases] of load.acknowledged) {
      const completed = (await store.readStream(workflowStreamId(id)))
        .filter((e) => e.type === 'PhaseCompleted')
        .map((e) => (e.data as { phase: string }).phase);
      if (completed.length < phases || new Set(completed).size !== completed.length) lost.push(`${id}: ${phases} acknowledged, stored ${completed.join(',')}`);
    }
    expect(lost).toEqual([]);
  });
});
