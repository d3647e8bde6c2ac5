import { connect } from '@nats-io/transport-node';
import { PHASES, workflowStreamId } from '@topdog/contracts';
import { JetStreamEventStore } from '@topdog/event-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, initializeBody } from './support/http';
import { startSystem, type Service, type System } from './support/system';

/** Faults: every service killed with SIGKILL mid-walk and restarted; NATS restarted. */
describe('faults: state survives, the walk continues', () => {
  let system: System;
  const api = (method: string, path: string, body?: unknown) => http(system.baseUrl, method, path, body);

  /** Retries while the system recovers (503, or a gateway that is restarting), never on 4xx. */
  async function eventually<T>(call: () => Promise<{ status: number } & T>, timeoutMs = 20_000): Promise<{ status: number } & T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const r = await call();
        if (r.status !== 503 || Date.now() > deadline) return r;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(async () => {
    await system?.[Symbol.asyncDispose]();
  });

  it('kills each service with SIGKILL mid-walk; after a restart the state is intact and the walk continues', async () => {
    const init = await api('POST', '/api/ai-workflows/initialize', initializeBody());
    const id = init.body.workflow_id as string;
    const order: Service[] = ['orchestrator', 'projector', 'gateway', 'llm-runner', 'orchestrator', 'projector'];
    for (let i = 0; i < 6; i++) {
      const victim = order[i]!;
      await system.kill(victim, 'SIGKILL');
      await system.start(victim);
      await system.waitReady();
      const status = await eventually(() => api('GET', `/api/ai-workflows/status/${id}`));
      expect(status.status).toBe(200);
      expect(status.body.completed_phases).toEqual(PHASES.slice(0, i));
      const done = await eventually(() =>
        api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: `after killing ${victim}`, expected_state: PHASES[i] }),
      );
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(done.body.previous_state).toBe(PHASES[i]);
    }
    const final = await api('GET', `/api/ai-workflows/status/${id}`);
    expect(final.body).toMatchObject({ current_state: 'COMPLETE', progress: 1, is_complete: true });

    const nc = await connect({ servers: system.nats.url });
    try {
      const store = await JetStreamEventStore.create(nc, { prefix: system.prefix });
      const events = await store.readStream(workflowStreamId(id));
      expect(events.map((e) => e.type)).toEqual(['WorkflowInitialized', ...PHASES.map(() => 'PhaseCompleted'), 'WorkflowCompleted']);
      expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    } finally {
      await nc.close();
    }
  });

  it('a command in flight when the orchestrator is killed is applied exactly once when retried with its Idempotency-Key', async () => {
    for (const delayMs of [0, 2, 5, 10]) {
      const init = await api('POST', '/api/ai-workflows/initialize', initializeBody());
      const id = init.body.workflow_id as string;
      const body = { workflow_id: id, ai_response: 'in flight' };
      const headers = { 'Idempotency-Key': `inflight-${id}` };
      const inFlight = http(system.baseUrl, 'POST', '/api/ai-workflows/complete-phase', body, headers).catch(() => undefined);
      await new Promise((r) => setTimeout(r, delayMs));
      await system.kill('orchestrator', 'SIGKILL');
      await system.start('orchestrator');
      await system.waitReady();
      const first = await inFlight;
      const retried = await eventually(() => http(system.baseUrl, 'POST', '/api/ai-workflows/complete-phase', body, headers));
      expect(retried.status).toBe(200);
      if (first?.status === 200) expect(retried.body).toEqual(first.body);
      const status = await api('GET', `/api/ai-workflows/status/${id}`);
      expect(status.body.completed_phases).toEqual(['DISCOVERY']);
    }
  });

  it('answers 503 (not 500) while the orchestrator is down, and nothing is written', async () => {
    const init = await api('POST', '/api/ai-workflows/initialize', initializeBody());
    const id = init.body.workflow_id as string;
    await system.kill('orchestrator', 'SIGKILL');
    const r = await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'x' });
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('UNAVAILABLE');
    expect((await api('GET', '/readyz')).status).toBe(503);
    await system.start('orchestrator');
    await system.waitReady();
    expect((await api('GET', `/api/ai-workflows/status/${id}`)).body.completed_phases).toEqual([]);
  });

  it('rides out a NATS restart: services reconnect and the workflow continues', async () => {
    const init = await api('POST', '/api/ai-workflows/initialize', initializeBody());
    const id = init.body.workflow_id as string;
    await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'before restart' });
    await system.nats.stop('SIGTERM');
    await system.nats.start();
    await system.waitReady(30_000);
    const done = await eventually(
      () => api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'after restart', expected_state: 'PLANNING' }),
      30_000,
    );
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const status = await eventually(() => api('GET', `/api/ai-workflows/status/${id}`));
    expect(status.body.completed_phases).toEqual(['DISCOVERY', 'PLANNING']);
  });
});
