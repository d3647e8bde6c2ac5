import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { PHASES, workflowStreamId } from '@topdog/contracts';
import { JetStreamEventStore, verifyChain } from '@topdog/event-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, initializeBody } from './support/http';
import { startSystem, type System } from './support/system';
import { adminAuth } from './support/credentials';

/** Audit replay, tamper evidence and time travel over real processes. */
describe('audit trail', () => {
  let system: System;
  let nc: NatsConnection;
  let id: string;
  const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => http(system.baseUrl, method, path, body, headers);

  beforeAll(async () => {
    system = await startSystem();
    nc = await connect({ servers: system.nats.url });
    id = (
      await api(
        'POST',
        '/api/ai-workflows/initialize',
        initializeBody(),
        { 'X-Correlation-Id': 'audit-corr', 'X-Actor': 'auditor' } /* X-Actor is ignored now */,
      )
    ).body.workflow_id;
    for (const phase of PHASES.slice(0, 3)) {
      await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: `${phase} answer`, phase_result: { phase } });
    }
  });
  afterAll(async () => {
    await nc?.close();
    await system?.[Symbol.asyncDispose]();
  });

  it('pages the trail in revision order with every envelope field and each event hash', async () => {
    const first = await api('GET', `/api/ai-workflows/${id}/audit?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.events.map((e: any) => e.revision)).toEqual([0, 1]);
    expect(first.body.next_from_revision).toBe(2);
    expect(first.body.events[0]).toMatchObject({
      type: 'WorkflowInitialized',
      stream_id: `workflow-${id}`,
      actor: 'key:bootstrap-admin', // the authenticated caller: X-Actor is ignored
      correlation_id: 'audit-corr',
      causation_id: null,
      schema_version: 1,
      metadata: { prevHash: null },
      hash: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
    expect(first.body.events[1].metadata.prevHash).toBe(first.body.events[0].hash);
    const rest = await api('GET', `/api/ai-workflows/${id}/audit?from_revision=2&limit=100`);
    expect(rest.body.events.map((e: any) => e.revision)).toEqual([2, 3]);
    expect(rest.body.next_from_revision).toBeNull();
    expect((await api('GET', `/api/ai-workflows/${randomUUID()}/audit`)).status).toBe(404);
    const bad = await api('GET', `/api/ai-workflows/${id}/audit?limit=0&colour=red`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.field).sort()).toEqual(['colour', 'limit']);
  });

  it('streams the trail as NDJSON', async () => {
    const res = await fetch(`${system.baseUrl}/api/ai-workflows/${id}/audit`, { headers: { accept: 'application/x-ndjson', ...adminAuth() } });
    expect(res.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['WorkflowInitialized', 'PhaseCompleted', 'PhaseCompleted', 'PhaseCompleted']);
  });

  it('verifies the hash chain the orchestrator wrote, and names the first broken link of an altered copy', async () => {
    const verified = await api('GET', `/api/ai-workflows/${id}/audit/verify`);
    expect(verified.body).toMatchObject({ ok: true, events: 4, verified_links: 4, unchained_events: 0, first_broken: null });

    // A test store: the same events copied to another deployment, one of them altered.
    const source = await JetStreamEventStore.create(nc, { prefix: system.prefix });
    const events = await source.readStream(workflowStreamId(id));
    const tampered = await JetStreamEventStore.create(nc, { prefix: `tamper${Date.now()}` });
    for (const e of events) {
      const { position: _p, revision: _r, streamId, ...rest } = e;
      const altered = e.revision === 2 ? { ...rest, data: { ...(rest.data as object), aiResponse: 'forged answer' } } : rest;
      await tampered.appendToStream(streamId, [altered], { expectedRevision: e.revision - 1 < 0 ? 'no_stream' : e.revision - 1 });
    }
    const copy = await tampered.readStream(workflowStreamId(id));
    expect(verifyChain(copy)).toMatchObject({ ok: false, firstBroken: { revision: 3 } });
    expect(verifyChain(events).ok).toBe(true);
  });

  it('answers the status as it was at a revision', async () => {
    const then = await api('GET', `/api/ai-workflows/status/${id}?at=1`);
    expect(then.status).toBe(200);
    expect(then.body).toMatchObject({ current_state: 'PLANNING', completed_phases: ['DISCOVERY'], progress: 1 / 6 });
    expect(then.headers.get('etag')).toBe('"1"');
    const now = await api('GET', `/api/ai-workflows/status/${id}`);
    expect(now.body.current_state).toBe('TESTING');
    const beyond = await api('GET', `/api/ai-workflows/status/${id}?at=99`);
    expect(beyond.status).toBe(404);
    expect(beyond.body.error.details).toEqual([{ field: 'at', reason: 'no revision 99: the latest is 3' }]);
    expect((await api('GET', `/api/ai-workflows/status/${id}?at=-1`)).status).toBe(400);
  });
});
