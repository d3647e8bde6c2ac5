import { request } from 'node:http';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { PHASES, workflowStreamId } from '@topdog/contracts';
import { JetStreamEventStore } from '@topdog/event-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuth } from './support/credentials';
import { http, initializeBody } from './support/http';
import { collectSse, readSse, type SseMessage } from './support/sse';
import { startSystem, type System } from './support/system';
import { waitFor } from './support/wait';

const SSE_BOUND = 64 * 1024;

/** What a client reads from a stream after reading nothing for `pauseMs`, until `done` says it has all. */
function readAfterPause(url: string, pauseMs: number, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { ...adminAuth(), accept: 'text/event-stream' } }, (res) => {
      res.pause();
      setTimeout(() => res.resume(), pauseMs);
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (done(text)) {
          req.destroy();
          resolve(text);
        }
      });
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Live events over SSE: history then live, resumable, filtered, fanned out, at a slow client's pace. */
describe('live workflow events', () => {
  let system: System;
  let nc: NatsConnection;
  let store: JetStreamEventStore;
  const api = (method: string, path: string, body?: unknown) => http(system.baseUrl, method, path, body);
  const newWorkflow = async (extra: Record<string, unknown> = {}) =>
    (await api('POST', '/api/ai-workflows/initialize', initializeBody(extra))).body.workflow_id as string;
  const complete = (id: string, i: number) => api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: `answer ${i}` });
  const storedPositions = async (id: string) => (await store.readStream(workflowStreamId(id))).map((e) => String(e.position));
  const until = (check: () => boolean) => waitFor('the expected SSE messages', check);

  beforeAll(async () => {
    // One identity (the test admin key) opens a hundred streams for the fan-out: over the default cap.
    // A small bound on what a client may leave unread, so that a few MB of history pass it many times over.
    system = await startSystem({ SSE_HEARTBEAT_MS: '300', SSE_MAX_CONNECTIONS_PER_IDENTITY: '1000', SSE_MAX_BUFFERED_BYTES: String(SSE_BOUND) });
    nc = await connect({ servers: system.nats.url });
    store = await JetStreamEventStore.create(nc, { prefix: system.prefix });
  });
  afterAll(async () => {
    await nc?.close();
    await system?.[Symbol.asyncDispose]();
  });

  it('sends history then live events; after the gateway is killed mid-stream, Last-Event-ID resumes with no gap and no duplicate', async () => {
    const id = await newWorkflow();
    await complete(id, 0);
    const received: SseMessage[] = [];
    const abort = new AbortController();
    const url = `${system.baseUrl}/api/ai-workflows/${id}/events`;
    const first = readSse(url, { signal: abort.signal, onMessage: (m) => received.push(m) });
    await until(() => received.length === 2); // history: initialized + first phase
    await complete(id, 1);
    await until(() => received.length === 3); // live
    await system.kill('gateway', 'SIGKILL');
    await first; // the stream broke off
    await system.start('gateway');
    await system.waitReady();
    await complete(id, 2); // written while no client was connected
    const lastId = received.at(-1)!.id!;
    const second = readSse(url, { lastEventId: lastId, signal: abort.signal, onMessage: (m) => received.push(m) });
    for (let i = 3; i < 6; i++) await complete(id, i);
    const stored = await storedPositions(id);
    await until(() => received.length >= stored.length);
    abort.abort();
    await second;
    expect(received.map((m) => m.id)).toEqual(stored);
    expect(received.map((m) => m.event)).toEqual(['WorkflowInitialized', ...PHASES.map(() => 'PhaseCompleted'), 'WorkflowCompleted']);
    expect(JSON.parse(received[1]!.data)).toMatchObject({ type: 'PhaseCompleted', revision: 1, data: { phase: 'DISCOVERY' } });
  });

  it('fans one workflow out to a hundred subscribers, each receiving every event exactly once', async () => {
    const id = await newWorkflow();
    const abort = new AbortController();
    const inboxes = Array.from({ length: 100 }, () => [] as string[]);
    const readers = inboxes.map((inbox) =>
      readSse(`${system.baseUrl}/api/ai-workflows/${id}/events`, { signal: abort.signal, onMessage: (m) => inbox.push(m.id!) }),
    );
    await until(() => inboxes.every((inbox) => inbox.length === 1));
    for (let i = 0; i < 6; i++) await complete(id, i);
    const stored = await storedPositions(id);
    await until(() => inboxes.every((inbox) => inbox.length >= stored.length));
    await new Promise((r) => setTimeout(r, 200)); // nothing more arrives
    abort.abort();
    await Promise.all(readers);
    for (const inbox of inboxes) expect(inbox).toEqual(stored);
  });

  it('filters by type, starts after a position, sends token deltas without an id, and heartbeats', async () => {
    const id = await newWorkflow({ model: 'offline' });
    const live = collectSse(`${system.baseUrl}/api/ai-workflows/${id}/events?types=LlmCallSucceeded,token`);
    const { messages, comments } = live;
    await until(() => comments.includes('connected'));
    await api('POST', `/api/ai-workflows/${id}/run-phase`, {});
    await until(() => messages.some((m) => m.event === 'LlmCallSucceeded'));
    await until(() => comments.includes('heartbeat'));
    await live.close();
    const tokens = messages.filter((m) => m.event === 'token');
    expect(tokens.length).toBeGreaterThan(2);
    expect(tokens.every((m) => m.id === undefined)).toBe(true);
    // The offline model answers in structured mode: the deltas are its document's text, not the JSON.
    const content = (JSON.parse(messages.find((m) => m.event === 'LlmCallSucceeded')!.data) as { data: { content: string } }).data.content;
    expect(tokens.map((m) => (JSON.parse(m.data) as { delta: string }).delta).join('')).toBe((JSON.parse(content) as { document: string }).document);
    expect(new Set(messages.filter((m) => m.id).map((m) => m.event))).toEqual(new Set(['LlmCallSucceeded']));

    const later: SseMessage[] = [];
    const stored = await storedPositions(id);
    const abort2 = new AbortController();
    const tail = readSse(`${system.baseUrl}/api/ai-workflows/${id}/events?after=${stored[1]}`, { signal: abort2.signal, onMessage: (m) => later.push(m) });
    await until(() => later.length === stored.length - 2);
    abort2.abort();
    await tail;
    expect(later.map((m) => m.id)).toEqual(stored.slice(2));
  });

  it('streams every workflow from a global position, filtered by project', async () => {
    const head = await store.headPosition();
    const a = await newWorkflow({ project_id: 'alpha' });
    await newWorkflow({ project_id: 'beta' });
    await complete(a, 0);
    const seen: SseMessage[] = [];
    const abort = new AbortController();
    const reader = readSse(`${system.baseUrl}/api/events?after=${head}&project_id=alpha`, { signal: abort.signal, onMessage: (m) => seen.push(m) });
    await until(() => seen.length === 2);
    await new Promise((r) => setTimeout(r, 200));
    abort.abort();
    await reader;
    expect(seen.map((m) => JSON.parse(m.data).stream_id)).toEqual([`workflow-${a}`, `workflow-${a}`]);
  });

  it('sends a client that stops reading for a while all of a history many times the unread bound, at its pace, never cutting it off', async () => {
    const head = await store.headPosition();
    // Some 16 MB: more than the sockets' buffers on loopback take in while the client reads nothing.
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await newWorkflow());
    const answer = 'y'.repeat(400 * 1024);
    for (let phase = 0; phase < 5; phase++) {
      await Promise.all(
        ids.map(async (id) => expect((await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: answer })).status).toBe(200)),
      );
    }
    const stored = (await Promise.all(ids.map(storedPositions))).flat().sort((a, b) => Number(a) - Number(b));
    const last = `id: ${stored.at(-1)}\n`;
    const text = await readAfterPause(`${system.baseUrl}/api/events?after=${head}`, 1_000, (t) => t.includes(last) || t.includes('event: overflow'));
    expect(text).not.toContain('event: overflow');
    expect([...text.matchAll(/^id: (\d+)$/gm)].map((m) => m[1])).toEqual(stored);
    expect(text.length).toBeGreaterThan(200 * SSE_BOUND);
  });

  it('refuses bad input before streaming', async () => {
    const bad = await api('GET', `/api/events?types=Nope&after=-1`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.field).sort()).toEqual(['after', 'types.0']);
    // Token deltas are not stored: they stream on a workflow's own events, not across workflows.
    const tokens = await api('GET', `/api/events?types=PhaseCompleted,token`);
    expect(tokens.status).toBe(400);
    expect(tokens.body.error.details).toEqual([{ field: 'types.1', reason: expect.stringContaining("only on a workflow's own") }]);
    expect((await api('GET', `/api/ai-workflows/00000000-0000-4000-8000-000000000000/events`)).status).toBe(404);
  });
});
