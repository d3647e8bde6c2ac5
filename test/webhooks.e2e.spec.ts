import { TopDogClient } from '@topdog/client';
import { freePort } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, TEST_ADMIN_KEY } from './support/credentials';
import { http, initializeBody } from './support/http';
import { startSystem, type System } from './support/system';
import { runTopdog } from './support/topdog-cli';
import { waitFor } from './support/wait';
import { signatureValid, startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver';

/**
 * Webhooks over real processes. Every receiver listens on 127.0.0.1, and the system runs with
 * WEBHOOK_ALLOW_PRIVATE=true so that it may call them; no test registers any other address.
 */
describe('webhooks', () => {
  let system: System;
  const receivers: WebhookReceiver[] = [];
  const api = (method: string, path: string, body?: unknown, headers: Record<string, string | undefined> = {}) =>
    http(system.baseUrl, method, path, body, headers);
  const receiver = async (port?: number) => {
    const r = await startWebhookReceiver(port);
    receivers.push(r);
    return r;
  };
  const register = async (url: string, events: string[], project = 'A', headers: Record<string, string | undefined> = {}) => {
    const res = await api('POST', '/api/webhooks', { url, events, project_id: project }, headers);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; secret: string; url: string; events: string[]; project_id: string; created_at: string };
  };
  const initialize = async (project: string) =>
    (await api('POST', '/api/ai-workflows/initialize', initializeBody({ project_id: project }))).body.workflow_id as string;
  const complete = async (id: string) =>
    expect((await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'done' })).status).toBe(200);
  /** The workflow's stored events (as the audit endpoint gives them) of some types. */
  const audit = async (id: string, types: string[]) =>
    ((await api('GET', `/api/ai-workflows/${id}/audit`)).body.events as { type: string; position: number }[]).filter((e) => types.includes(e.type));

  beforeAll(async () => {
    system = await startSystem({
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_RETRY_BASE_MS: '200',
      WEBHOOK_RETRY_MAX_MS: '1000',
      WEBHOOK_ACK_WAIT_MS: '2000',
      WEBHOOK_TIMEOUT_MS: '2000',
      WEBHOOK_RECONCILE_MS: '500',
    });
  });
  afterAll(async () => {
    for (const r of receivers) await r[Symbol.asyncDispose]();
    await system?.[Symbol.asyncDispose]();
  });

  it('posts every subscribed event of its project, signed, in order, as the audit record', async () => {
    const r = await receiver();
    const types = ['WorkflowInitialized', 'PhaseCompleted', 'WorkflowCompleted'];
    const hook = await register(r.url, types);
    expect(hook).toMatchObject({ url: r.url, events: types, project_id: 'A' });
    expect(hook.secret.length).toBeGreaterThanOrEqual(32);

    const id = await initialize('A');
    const other = await initialize('B'); // project B's: never sent to A's webhook
    for (let p = 0; p < 6; p++) {
      await complete(id);
      if (p < 2) await complete(other);
    }
    const expected = await audit(id, types);
    expect(expected.map((e) => e.type)).toEqual(['WorkflowInitialized', ...Array(6).fill('PhaseCompleted'), 'WorkflowCompleted']);
    await waitFor('every event at the receiver', () => r.received.length >= expected.length, { timeoutMs: 20_000 });
    await new Promise((res) => setTimeout(res, 500));

    expect(r.received.map((d) => d.body.position)).toEqual(expected.map((e) => e.position));
    const records = (await api('GET', `/api/ai-workflows/${id}/audit`)).body.events as { position: number }[];
    for (const d of r.received) {
      expect(signatureValid(hook.secret, d.raw, d.headers['x-topdog-signature'])).toBe(true);
      expect(d.headers['x-topdog-event-id']).toBe(String(d.body.position));
      expect(d.headers['content-type']).toBe('application/json');
      expect(d.body.stream_id).toBe(`workflow-${id}`);
      // The same JSON the audit endpoint gives for the event.
      expect(d.body).toEqual(records.find((e) => e.position === d.body.position));
    }
    expect(signatureValid('not-the-secret', r.received[0]!.raw, r.received[0]!.headers['x-topdog-signature'])).toBe(false);

    const deliveries = (await api('GET', `/api/webhooks/${hook.id}/deliveries`)).body.deliveries as {
      event_id: number;
      attempt: number;
      status_code: number;
    }[];
    expect(deliveries.map((d) => d.event_id)).toEqual(expected.map((e) => e.position).reverse());
    expect(deliveries.every((d) => d.status_code === 200 && d.attempt === 1)).toBe(true);

    const listed = (await api('GET', '/api/webhooks')).body.webhooks as { id: string }[];
    expect(listed.find((w) => w.id === hook.id)).toEqual({ id: hook.id, url: r.url, events: types, project_id: 'A', created_at: hook.created_at });
    expect(JSON.stringify(listed)).not.toContain(hook.secret);
  });

  it('retries a receiver that answers 500 until it accepts, and the deliveries show both attempts', async () => {
    const r = await receiver();
    r.answer = (n) => (n === 1 ? 500 : 200);
    const hook = await register(r.url, ['WorkflowInitialized']);
    const id = await initialize('A');
    await waitFor('the second attempt', () => r.received.length >= 2, { timeoutMs: 15_000 });
    await new Promise((res) => setTimeout(res, 500));
    expect(r.received).toHaveLength(2);
    expect(r.received[0]!.raw).toBe(r.received[1]!.raw);
    const [position] = (await audit(id, ['WorkflowInitialized'])).map((e) => e.position);
    const deliveries = (await api('GET', `/api/webhooks/${hook.id}/deliveries`)).body.deliveries;
    expect(deliveries).toMatchObject([
      { event_id: position, attempt: 2, status_code: 200, error: null },
      { event_id: position, attempt: 1, status_code: 500, error: expect.stringContaining('500') },
    ]);
  });

  it('holds up only the webhook whose receiver fails: another gets its events at once', async () => {
    const failing = await receiver();
    failing.answer = () => 503;
    const healthy = await receiver();
    const stuck = await register(failing.url, ['WorkflowInitialized']);
    await register(healthy.url, ['WorkflowInitialized']);
    const ids = [await initialize('A'), await initialize('A'), await initialize('A')];
    await waitFor('every event at the healthy receiver', () => healthy.received.length >= 3, { timeoutMs: 5_000 });
    expect(healthy.received.map((d) => d.body.stream_id)).toEqual(ids.map((id) => `workflow-${id}`));
    // The failing one is still on its first event, retrying.
    expect(new Set(failing.received.map((d) => d.body.stream_id))).toEqual(new Set([`workflow-${ids[0]}`]));
    expect((await api('DELETE', `/api/webhooks/${stuck.id}`)).status).toBe(204);
  });

  it('gives an event up after WEBHOOK_RETRY_FOR_MS, records it as failed, and sends the next; bounds the webhooks of a project', async () => {
    await system.kill('webhooks', 'SIGTERM');
    await system.start('webhooks', { WEBHOOK_RETRY_FOR_MS: '1500', WEBHOOK_MAX_PER_PROJECT: '1' });
    await system.waitReady();
    const r = await receiver();
    r.answer = (_n, body) => (body.type === 'WorkflowInitialized' ? 500 : 200);
    const hook = await register(r.url, ['WorkflowInitialized', 'PhaseCompleted'], 'C');
    // One webhook a project here: a second is refused, naming the project.
    const second = await api('POST', '/api/webhooks', { url: r.url, events: ['PhaseCompleted'], project_id: 'C' });
    expect([second.status, second.body.error.details[0].field]).toEqual([409, 'project_id']);
    const id = await initialize('C');
    await complete(id);
    await waitFor('the next event after the one given up', () => r.received.some((d) => d.body.type === 'PhaseCompleted'), { timeoutMs: 15_000 });
    const [initialized, completed] = (await audit(id, ['WorkflowInitialized', 'PhaseCompleted'])).map((e) => e.position);
    const attempts = r.received.filter((d) => d.body.type === 'WorkflowInitialized').length;
    expect(attempts).toBeGreaterThanOrEqual(2);
    const deliveries = (await api('GET', `/api/webhooks/${hook.id}/deliveries`)).body.deliveries as {
      event_id: number;
      attempt: number;
      status_code: number;
      error: string | null;
    }[];
    expect(deliveries[0]).toMatchObject({ event_id: completed, attempt: 1, status_code: 200, error: null });
    expect(deliveries[1]).toMatchObject({ event_id: initialized, attempt: attempts, status_code: 500, error: expect.stringContaining('given up') });
    expect((await api('DELETE', `/api/webhooks/${hook.id}`)).status).toBe(204);
    await system.kill('webhooks', 'SIGTERM');
    await system.start('webhooks');
    await system.waitReady();
  });

  it('misses nothing while the receiver is down and the webhooks service is killed and restarted', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/hook`; // nothing listens yet
    const types = ['WorkflowInitialized', 'PhaseCompleted'];
    const hook = await register(url, types);
    const id = await initialize('A');
    await complete(id);
    await new Promise((res) => setTimeout(res, 700)); // some refused attempts
    await system.kill('webhooks', 'SIGKILL');
    await complete(id);
    await complete(id);
    await system.start('webhooks');
    await system.waitReady();
    await new Promise((res) => setTimeout(res, 1_000));
    const r = await receiver(port);
    const expected = (await audit(id, types)).map((e) => e.position);
    expect(expected).toHaveLength(4);
    await waitFor('every event after the restart', () => new Set(r.received.map((d) => d.body.position)).size >= expected.length, { timeoutMs: 20_000 });
    // At least once, in order: the positions as received, repeats folded, are the stored ones.
    const positions = r.received.map((d) => d.body.position).filter((p, i, all) => i === 0 || all[i - 1] !== p);
    expect(positions).toEqual(expected);
    for (const d of r.received) expect(signatureValid(hook.secret, d.raw, d.headers['x-topdog-signature'])).toBe(true);
    const deliveries = (await api('GET', `/api/webhooks/${hook.id}/deliveries`)).body.deliveries as { status_code: number | null; error: string | null }[];
    expect(deliveries.some((d) => d.status_code === null && d.error !== null)).toBe(true);
  });

  it('validates a registration: event types, URL, project', async () => {
    const bad = await api('POST', '/api/webhooks', { url: 'http://127.0.0.1:9/x', events: ['PhaseCompleted', 'Nope'], project_id: 'A' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ field: 'events.1', reason: expect.stringContaining('"Nope"') }]);
    for (const url of ['ftp://127.0.0.1/x', 'http://user:pw@127.0.0.1:9/x', 'not a url']) {
      const res = await api('POST', '/api/webhooks', { url, events: ['PhaseCompleted'], project_id: 'A' });
      expect(res.status, url).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(['url']);
    }
    expect((await api('POST', '/api/webhooks', { url: 'http://127.0.0.1:9/x', events: [], project_id: 'A' })).status).toBe(400);
    // Types being added in parallel are accepted already.
    const upcoming = await register('http://127.0.0.1:9/x', ['ApprovalRequested', 'PhaseApproved', 'PhaseRejected', 'PhaseSentBack', 'WorkflowCancelled']);
    expect((await api('DELETE', `/api/webhooks/${upcoming.id}`)).status).toBe(204);
    expect((await api('DELETE', `/api/webhooks/${upcoming.id}`)).status).toBe(404);
    expect((await api('GET', `/api/webhooks/${upcoming.id}/deliveries`)).status).toBe(404);
  });

  it("keeps project A's webhooks from project B's keys, and B's events from A's webhooks", async () => {
    const keyB = await api('POST', '/api/admin/keys', { name: 'B', projects: ['B'], role: 'writer' });
    const keyA = await api('POST', '/api/admin/keys', { name: 'A', projects: ['A'], role: 'writer' });
    const b = bearer(keyB.body.key);
    const a = bearer(keyA.body.key);
    const r = await receiver();
    const hook = await register(r.url, ['WorkflowInitialized', 'PhaseCompleted'], 'A', a);
    expect(((await api('GET', '/api/webhooks', undefined, b)).body.webhooks as { id: string }[]).map((w) => w.id)).not.toContain(hook.id);
    expect(((await api('GET', '/api/webhooks', undefined, a)).body.webhooks as { id: string }[]).map((w) => w.id)).toContain(hook.id);
    expect((await api('DELETE', `/api/webhooks/${hook.id}`, undefined, b)).status).toBe(404);
    expect((await api('GET', `/api/webhooks/${hook.id}/deliveries`, undefined, b)).status).toBe(404);
    const outside = await api('POST', '/api/webhooks', { url: r.url, events: ['PhaseCompleted'], project_id: 'A' }, b);
    expect(outside.status).toBe(403);
    expect(outside.body.error.details[0].field).toBe('project_id');

    const onlyB = await initialize('B');
    await complete(onlyB);
    const inA = await initialize('A');
    await waitFor("A's event", () => r.received.length >= 1, { timeoutMs: 15_000 });
    await new Promise((res) => setTimeout(res, 700));
    expect(r.received.map((d) => d.body.stream_id)).toEqual([`workflow-${inA}`]);
    expect((await api('DELETE', `/api/webhooks/${hook.id}`, undefined, a)).status).toBe(204);
  });

  it('refuses a private address without WEBHOOK_ALLOW_PRIVATE, naming url, and sends it nothing', async () => {
    await system.kill('webhooks', 'SIGTERM');
    await system.start('webhooks', { WEBHOOK_ALLOW_PRIVATE: 'false' });
    await system.waitReady();
    for (const url of ['http://127.0.0.2:9/x', 'http://localhost:9/x', 'http://[::1]:9/x', 'http://[::ffff:127.0.0.1]:9/x']) {
      const res = await api('POST', '/api/webhooks', { url, events: ['PhaseCompleted'], project_id: 'A' });
      expect(res.status, url).toBe(400);
      expect(res.body.error.details, url).toEqual([{ field: 'url', reason: expect.stringMatching(/loopback|resolve/) }]);
    }
    expect(((await api('GET', '/api/webhooks')).body.webhooks as { url: string }[]).filter((w) => w.url.includes(':9/x'))).toEqual([]);
    await system.kill('webhooks', 'SIGTERM');
    await system.start('webhooks');
    await system.waitReady();
  });

  it('is driven by the client and the CLI alike', async () => {
    const r = await receiver();
    const client = new TopDogClient({ baseUrl: system.baseUrl, apiKey: TEST_ADMIN_KEY });
    const created = await client.webhooks.create({ url: r.url, events: ['WorkflowInitialized'], project_id: 'A' });
    expect((await client.webhooks.list()).map((w) => w.id)).toContain(created.id);
    await initialize('A');
    await waitFor('the delivery', async () => (await client.webhooks.deliveries(created.id)).length >= 1, { timeoutMs: 15_000 });
    expect((await client.webhooks.deliveries(created.id))[0]).toMatchObject({ attempt: 1, status_code: 200, error: null });
    await expect(client.webhooks.create({ url: r.url, events: ['Nope'], project_id: 'A' })).rejects.toMatchObject({ status: 400 });

    const topdog = (...args: string[]) => runTopdog(system.baseUrl, args);
    const made = await topdog('--json', 'webhooks', 'create', '--url', r.url, '--events', 'PhaseCompleted,WorkflowCompleted', '--project', 'A');
    expect(made.code).toBe(0);
    const hook = JSON.parse(made.stdout) as { id: string; secret: string; events: string[] };
    expect(hook.events).toEqual(['PhaseCompleted', 'WorkflowCompleted']);
    const listed = await topdog('webhooks', 'list');
    expect(listed.stdout).toContain(hook.id);
    expect(listed.stdout).not.toContain(hook.secret);
    expect((await topdog('--json', 'webhooks', 'deliveries', created.id)).stdout).toContain('"status_code":200');
    expect((await topdog('webhooks', 'delete', hook.id)).code).toBe(0);
    expect((await topdog('webhooks', 'delete', hook.id)).code).not.toBe(0);
    await client.webhooks.delete(created.id);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await api('GET', '/docs/json');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/webhooks', '/api/webhooks/{id}', '/api/webhooks/{id}/deliveries']));
    expect(doc.body.paths['/api/webhooks'].post.requestBody.content['application/json'].schema).toBeDefined();
    expect(doc.body.paths['/api/webhooks'].post.responses['201']).toBeDefined();
  });

  it('never logs a webhook secret', async () => {
    const r = await receiver();
    const hook = await register(r.url, ['WorkflowInitialized']);
    await initialize('A');
    await waitFor('the delivery', () => r.received.length >= 1, { timeoutMs: 15_000 });
    for (const service of ['webhooks', 'gateway'] as const) expect(await system.logs(service)).not.toContain(hook.secret);
  });
});
