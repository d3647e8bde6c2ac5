import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { freePort } from '@topdog/testing';
import { JetStreamEventStore } from '@topdog/event-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, TEST_ADMIN_KEY } from './support/credentials';
import { http, initializeBody } from './support/http';
import { startJwksServer, TEST_AUDIENCE, TEST_ISSUER, type JwksFixture } from './support/jwks-server';
import { startSystem, SERVICES, type System } from './support/system';
import { waitFor } from './support/wait';

type Access = 'none' | 'read' | 'write' | 'admin';
/** What a credential is: refused outright (401), or a role on some projects. */
type Caller = { kind: 'invalid' } | { kind: 'valid'; access: Exclude<Access, 'none'>; inProject: boolean };

interface Endpoint {
  name: string;
  /** The role the endpoint needs, and whether it is about project A's workflow. */
  needs: Exclude<Access, 'none'>;
  workflow: boolean;
  /** The status an allowed caller gets. */
  ok: number;
  /** The status of an allowed role outside the workflow's project (404 unless said). */
  outOfProject?: number;
  call(headers: Record<string, string | undefined>): Promise<number>;
}

const FAKE_PROVIDER_KEY = 'sk-ant-test-provider-key-that-must-never-be-logged-0123456789';

/**
 * Every endpoint × every kind of credential: the status in each cell, and nothing written to
 * the event store (or the key store) where the call was refused.
 */
describe('authentication, roles and tenancy', () => {
  let system: System;
  let jwks: JwksFixture;
  let nc: NatsConnection;
  let store: JetStreamEventStore;
  const secrets: string[] = [TEST_ADMIN_KEY, FAKE_PROVIDER_KEY];
  const api = (method: string, path: string, body?: unknown, headers: Record<string, string | undefined> = {}) =>
    http(system.baseUrl, method, path, body, headers);
  const createKey = async (name: string, projects: string[], role: string, extra: Record<string, unknown> = {}) => {
    const res = await api('POST', '/api/admin/keys', { name, projects, role, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    secrets.push(res.body.key);
    return res.body as { id: string; key: string };
  };

  /** The status of an SSE endpoint (its headers), then the stream is dropped. */
  async function sseStatus(path: string, headers: Record<string, string | undefined>): Promise<number> {
    const abort = new AbortController();
    const sent = Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined));
    const res = await fetch(`${system.baseUrl}${path}`, { headers: sent, signal: abort.signal });
    abort.abort();
    return res.status;
  }

  /** The second gateway's output, scanned for secrets with the others'. */
  let secondGatewayLog = '';
  let workflowA: string;
  let workflowB: string;
  /** Project A's workflow cancelled before the matrix: cancelling it again is 409 for everyone allowed. */
  let workflowCancelled: string;
  let webhookA: string;
  /** A webhook of project A, made with the admin key; its secret joins those no log may hold. */
  const createWebhook = async () => {
    const res = await api('POST', '/api/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['WorkflowCompleted'], project_id: 'A' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    secrets.push(res.body.secret);
    return res.body.id as string;
  };
  const callers = new Map<string, { headers: Record<string, string | undefined>; caller: Caller }>();

  beforeAll(async () => {
    jwks = await startJwksServer();
    system = await startSystem({
      AUTH_JWKS_URL: jwks.jwksUrl,
      AUTH_ISSUER: TEST_ISSUER,
      AUTH_AUDIENCE: TEST_AUDIENCE,
      // A provider key the llm-runner checks (and fails to reach): it must never reach a log.
      ANTHROPIC_API_KEY: FAKE_PROVIDER_KEY,
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/v1',
      LOG_LEVEL: 'debug',
      // The matrix registers webhooks at a loopback address (the discard port: nothing answers).
      WEBHOOK_ALLOW_PRIVATE: 'true',
    });
    nc = await connect({ servers: system.nats.url });
    store = await JetStreamEventStore.create(nc, { prefix: system.prefix });
    workflowA = (await api('POST', '/api/ai-workflows/initialize', initializeBody({ project_id: 'A' }))).body.workflow_id;
    workflowB = (await api('POST', '/api/ai-workflows/initialize', initializeBody({ project_id: 'B' }))).body.workflow_id;
    workflowCancelled = (await api('POST', '/api/ai-workflows/initialize', initializeBody({ project_id: 'A' }))).body.workflow_id;
    expect((await api('POST', `/api/ai-workflows/${workflowCancelled}/cancel`, { reason: 'for the matrix' })).status).toBe(200);

    const reader = await createKey('reader A', ['A'], 'reader');
    const writer = await createKey('writer A', ['A'], 'writer');
    const admin = await createKey('admin', ['*'], 'admin');
    const otherProject = await createKey('writer B', ['B'], 'writer');
    const revoked = await createKey('revoked', ['A'], 'writer');
    const expired = await createKey('expired', ['A'], 'writer', { expires_at: new Date(Date.now() + 1_500).toISOString() });
    expect((await api('DELETE', `/api/admin/keys/${revoked.id}`)).status).toBe(204);
    webhookA = await createWebhook();

    const jwtClaims = { topdog_role: 'writer', topdog_projects: ['A'] };
    const tokens = {
      valid: await jwks.sign(jwtClaims),
      expired: await jwks.sign(jwtClaims, { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
      wrongIssuer: await jwks.sign({ ...jwtClaims, iss: 'https://evil.test' }),
      wrongAudience: await jwks.sign({ ...jwtClaims, aud: 'someone-else' }),
      badSignature: await jwks.sign(jwtClaims, { otherKey: true }),
      algNone: jwks.unsigned(jwtClaims),
      noExpiry: await jwks.sign(jwtClaims, { expiresIn: null }),
    };
    secrets.push(...Object.values(tokens));

    const invalid: Caller = { kind: 'invalid' };
    const set = (name: string, headers: Record<string, string | undefined>, caller: Caller) => callers.set(name, { headers, caller });
    set('no credential', { authorization: undefined }, invalid);
    set('malformed header', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, invalid);
    set('empty bearer', { authorization: 'Bearer ' }, invalid);
    set('unknown key', bearer(`tdk_000000000000_${'x'.repeat(43)}`), invalid);
    set('revoked key', bearer(revoked.key), invalid);
    set('expired key', bearer(expired.key), invalid);
    set("another project's key", bearer(otherProject.key), { kind: 'valid', access: 'write', inProject: false });
    set('reader', bearer(reader.key), { kind: 'valid', access: 'read', inProject: true });
    set('writer', bearer(writer.key), { kind: 'valid', access: 'write', inProject: true });
    set('admin', bearer(admin.key), { kind: 'valid', access: 'admin', inProject: true });
    set('JWT valid', bearer(tokens.valid), { kind: 'valid', access: 'write', inProject: true });
    set('JWT expired', bearer(tokens.expired), invalid);
    set('JWT wrong issuer', bearer(tokens.wrongIssuer), invalid);
    set('JWT wrong audience', bearer(tokens.wrongAudience), invalid);
    set('JWT bad signature', bearer(tokens.badSignature), invalid);
    set('JWT alg none', bearer(tokens.algNone), invalid);
    set('JWT without expiry', bearer(tokens.noExpiry), invalid);
    // Past the expired key's expiry.
    await new Promise((r) => setTimeout(r, Math.max(0, 1_600)));
  });
  afterAll(async () => {
    await nc?.close();
    await system?.[Symbol.asyncDispose]();
    await jwks?.[Symbol.asyncDispose]();
  });

  const endpoints = (): Endpoint[] => {
    const a = workflowA;
    const status = (method: string, path: string, body?: unknown) => async (h: Record<string, string | undefined>) => (await api(method, path, body, h)).status;
    return [
      {
        name: 'initialize',
        needs: 'write',
        workflow: true,
        ok: 200,
        call: status('POST', '/api/ai-workflows/initialize', initializeBody({ project_id: 'A' })),
      },
      {
        name: 'complete-phase',
        needs: 'write',
        workflow: true,
        ok: 200,
        call: status('POST', '/api/ai-workflows/complete-phase', { workflow_id: a, ai_response: 'x' }),
      },
      // gpt-4 has no provider key here: an allowed caller gets 422, and nothing is written.
      { name: 'run-phase', needs: 'write', workflow: true, ok: 422, call: status('POST', `/api/ai-workflows/${a}/run-phase`, {}) },
      // A person's decisions: writer, and project A's workflow. Nothing awaits approval on it, DEPLOYMENT
      // is not before its state, and the other one is cancelled already: an allowed caller gets 409.
      { name: 'approve', needs: 'write', workflow: true, ok: 409, call: status('POST', `/api/ai-workflows/${a}/approve`, { comment: 'ok' }) },
      { name: 'reject', needs: 'write', workflow: true, ok: 409, call: status('POST', `/api/ai-workflows/${a}/reject`, { comment: 'no' }) },
      {
        name: 'send-back',
        needs: 'write',
        workflow: true,
        ok: 409,
        call: status('POST', `/api/ai-workflows/${a}/send-back`, { to_phase: 'DEPLOYMENT', reason: 'why' }),
      },
      {
        name: 'cancel',
        needs: 'write',
        workflow: true,
        ok: 409,
        call: status('POST', `/api/ai-workflows/${workflowCancelled}/cancel`, { reason: 'why' }),
      },
      { name: 'fork', needs: 'write', workflow: true, ok: 201, call: status('POST', `/api/ai-workflows/${a}/fork`, { from_phase: 'DISCOVERY' }) },
      { name: 'status', needs: 'read', workflow: true, ok: 200, call: status('GET', `/api/ai-workflows/status/${a}`) },
      { name: 'status ?at=', needs: 'read', workflow: true, ok: 200, call: status('GET', `/api/ai-workflows/status/${a}?at=0`) },
      { name: 'get-ai-prompt', needs: 'read', workflow: true, ok: 200, call: status('POST', `/api/ai-workflows/get-ai-prompt/${a}`) },
      { name: 'workflow events', needs: 'read', workflow: true, ok: 200, call: (h) => sseStatus(`/api/ai-workflows/${a}/events`, h) },
      { name: 'all events', needs: 'read', workflow: false, ok: 200, call: (h) => sseStatus('/api/events', h) },
      { name: 'audit', needs: 'read', workflow: true, ok: 200, call: status('GET', `/api/ai-workflows/${a}/audit`) },
      { name: 'audit verify', needs: 'read', workflow: true, ok: 200, call: status('GET', `/api/ai-workflows/${a}/audit/verify`) },
      { name: 'compare', needs: 'read', workflow: true, ok: 200, call: status('GET', `/api/ai-workflows/compare?a=${a}&b=${a}`) },
      // Listing answers every reader with the workflows of its own projects (another project's: none).
      { name: 'list workflows', needs: 'read', workflow: false, ok: 200, call: status('GET', '/api/ai-workflows?limit=1') },
      { name: 'providers', needs: 'read', workflow: false, ok: 200, call: status('GET', '/api/llm/providers') },
      { name: 'models', needs: 'read', workflow: false, ok: 200, call: status('GET', '/api/llm/models') },
      { name: 'prompts', needs: 'read', workflow: false, ok: 200, call: status('GET', '/api/prompts') },
      { name: 'read-models progress', needs: 'admin', workflow: false, ok: 200, call: status('GET', '/api/admin/read-models') },
      { name: 'keys list', needs: 'admin', workflow: false, ok: 200, call: status('GET', '/api/admin/keys') },
      {
        name: 'keys create',
        needs: 'admin',
        workflow: false,
        ok: 201,
        call: status('POST', '/api/admin/keys', { name: 'n', projects: ['A'], role: 'reader' }),
      },
      { name: 'keys revoke (unknown id)', needs: 'admin', workflow: false, ok: 404, call: status('DELETE', '/api/admin/keys/000000000000') },
      {
        name: 'webhooks create',
        needs: 'write',
        workflow: true,
        ok: 201,
        outOfProject: 403,
        call: async (h) => {
          const res = await api('POST', '/api/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['WorkflowCompleted'], project_id: 'A' }, h);
          if (res.status === 201) secrets.push(res.body.secret);
          return res.status;
        },
      },
      // Listing answers every reader with the webhooks of its own projects (another project's: none).
      { name: 'webhooks list', needs: 'read', workflow: false, ok: 200, call: status('GET', '/api/webhooks') },
      { name: 'webhook deliveries', needs: 'read', workflow: true, ok: 200, call: status('GET', `/api/webhooks/${webhookA}/deliveries`) },
      {
        name: 'webhook delete',
        needs: 'write',
        workflow: true,
        ok: 204,
        call: async (h) => (await api('DELETE', `/api/webhooks/${await createWebhook()}`, undefined, h)).status,
      },
      { name: 'webhook delete (unknown id)', needs: 'write', workflow: false, ok: 404, call: status('DELETE', '/api/webhooks/0000000000000000') },
      { name: 'unknown endpoint', needs: 'read', workflow: false, ok: 404, call: status('GET', '/api/nothing-here') },
      { name: 'rebuild', needs: 'admin', workflow: false, ok: 202, call: status('POST', '/api/admin/read-models/rebuild', {}) },
    ];
  };

  const RANK = { read: 0, write: 1, admin: 2 } as const;
  function expected(endpoint: Endpoint, caller: Caller): number {
    if (caller.kind === 'invalid') return 401;
    if (RANK[caller.access] < RANK[endpoint.needs]) return 403;
    if (endpoint.workflow && !caller.inProject) return endpoint.name === 'initialize' ? 403 : (endpoint.outOfProject ?? 404);
    return endpoint.ok;
  }

  it('answers each endpoint × credential with the expected status, and writes nothing where it refuses', async () => {
    const mismatches: string[] = [];
    for (const endpoint of endpoints()) {
      for (const [name, { headers, caller }] of callers) {
        const want = expected(endpoint, caller);
        const headBefore = await store.headPosition();
        const keysBefore = (await api('GET', '/api/admin/keys')).body.keys.length as number;
        const got = await endpoint.call(headers);
        if (got !== want) mismatches.push(`${endpoint.name} × ${name}: ${got}, expected ${want}`);
        if (want >= 400 && endpoint.name !== 'rebuild') {
          if ((await store.headPosition()) !== headBefore) mismatches.push(`${endpoint.name} × ${name}: refused, but the event store changed`);
          if ((await api('GET', '/api/admin/keys')).body.keys.length !== keysBefore) mismatches.push(`${endpoint.name} × ${name}: refused, but a key was made`);
        }
        if (endpoint.name === 'rebuild' && want === 202) await system.waitReady();
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('says why on a 401, with WWW-Authenticate, and never echoes the credential', async () => {
    const none = await api('GET', `/api/ai-workflows/status/${workflowA}`, undefined, { authorization: undefined });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(none.body.error.code).toBe('UNAUTHORIZED');
    const wrong = `tdk_abcdefabcdef_${'y'.repeat(43)}`;
    const unknown = await api('GET', `/api/ai-workflows/status/${workflowA}`, undefined, bearer(wrong));
    expect(unknown.status).toBe(401);
    expect(JSON.stringify(unknown.body)).not.toContain(wrong);
    const forbidden = await api('POST', '/api/admin/read-models/rebuild', {}, bearer(secrets[2]!));
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    // Another project's workflow is answered exactly as an unknown one.
    const reader = callers.get('reader')!.headers;
    const other = await api('GET', `/api/ai-workflows/status/${workflowB}`, undefined, reader);
    const missing = await api('GET', '/api/ai-workflows/status/00000000-0000-4000-8000-000000000000', undefined, reader);
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body).replace(workflowB, '<id>')).toBe(JSON.stringify(missing.body).replace('00000000-0000-4000-8000-000000000000', '<id>'));
    expect((await api('GET', '/healthz', undefined, { authorization: undefined })).status).toBe(200);
    expect((await api('GET', '/readyz', undefined, { authorization: undefined })).status).toBe(200);
    expect((await api('GET', '/docs/json', undefined, { authorization: undefined })).status).toBe(200);
  });

  it('records the authenticated actor, never a header the caller sets', async () => {
    const writer = callers.get('writer')!.headers;
    const jwt = callers.get('JWT valid')!.headers;
    const id = (await api('POST', '/api/ai-workflows/initialize', initializeBody({ project_id: 'A' }), { ...writer, 'X-Actor': 'mallory' })).body.workflow_id;
    await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'x' }, jwt);
    const audit = await api('GET', `/api/ai-workflows/${id}/audit`, undefined, writer);
    const actors = audit.body.events.map((e: { actor: string }) => e.actor);
    expect(actors[0]).toMatch(/^key:[a-z0-9]{12}$/);
    expect(actors[1]).toBe(`jwt:${TEST_ISSUER}#alice`);
    expect(actors).not.toContain('mallory');
  });

  it('lists keys without secrets, and a revoked key stops at once', async () => {
    const key = await createKey('short-lived', ['A'], 'reader');
    expect((await api('GET', `/api/ai-workflows/status/${workflowA}`, undefined, bearer(key.key))).status).toBe(200);
    const list = await api('GET', '/api/admin/keys');
    expect(JSON.stringify(list.body)).not.toContain(key.key);
    expect(JSON.stringify(list.body)).not.toMatch(/secretHash|tdk_/);
    expect(list.body.keys.find((k: { id: string }) => k.id === key.id)).toMatchObject({ name: 'short-lived', role: 'reader', projects: ['A'] });
    expect((await api('DELETE', `/api/admin/keys/${key.id}`)).status).toBe(204);
    expect((await api('GET', `/api/ai-workflows/status/${workflowA}`, undefined, bearer(key.key))).status).toBe(401);

    // An admin of project A manages project A's keys only: it cannot mint a wider key, nor see or revoke another's.
    const adminA = bearer((await createKey('admin A', ['A'], 'admin')).key);
    const keyB = await createKey('reader B', ['B'], 'reader');
    expect((await api('POST', '/api/admin/keys', { name: 'x', projects: ['*'], role: 'admin' }, adminA)).status).toBe(403);
    expect((await api('POST', '/api/admin/keys', { name: 'x', projects: ['A', 'B'], role: 'reader' }, adminA)).status).toBe(403);
    const narrow = await api('POST', '/api/admin/keys', { name: 'x', projects: ['A'], role: 'reader' }, adminA);
    expect(narrow.status).toBe(201);
    secrets.push(narrow.body.key);
    const seen = (await api('GET', '/api/admin/keys', undefined, adminA)).body.keys.map((k: { projects: string[] }) => k.projects.join(','));
    expect(new Set(seen)).toEqual(new Set(['A']));
    expect((await api('DELETE', `/api/admin/keys/${keyB.id}`, undefined, adminA)).status).toBe(404);
    expect((await api('GET', '/api/llm/models', undefined, bearer(keyB.key))).status).toBe(200);
  });

  it('a key revoked on one gateway instance is refused by another at once', async () => {
    const port = await freePort();
    const second = spawn(process.execPath, [fileURLToPath(new URL('../services/gateway/dist/main.js', import.meta.url))], {
      env: { ...process.env, NATS_URL: system.nats.url, TOPDOG_PREFIX: system.prefix, PORT: String(port), HOST: '127.0.0.1', TOPDOG_ADMIN_KEY: TEST_ADMIN_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    second.stdout.on('data', (d: Buffer) => (secondGatewayLog += d.toString()));
    second.stderr.on('data', (d: Buffer) => (secondGatewayLog += d.toString()));
    try {
      const other = `http://127.0.0.1:${port}`;
      await waitFor('the second gateway', async () => (await fetch(`${other}/healthz`).catch(() => undefined))?.ok === true, { timeoutMs: 15_000 });
      const key = await createKey('two instances', ['A'], 'reader');
      const status = async () => (await http(other, 'GET', `/api/ai-workflows/status/${workflowA}`, undefined, bearer(key.key))).status;
      expect(await status()).toBe(200); // made on the first, works on the second (and is now in its memory)
      expect((await api('DELETE', `/api/admin/keys/${key.id}`)).status).toBe(204);
      const revokedAt = Date.now();
      await waitFor('the revocation on the second gateway', async () => (await status()) === 401, { timeoutMs: 2_000, everyMs: 5 });
      expect(Date.now() - revokedAt).toBeLessThan(500);
    } finally {
      const exited = new Promise((r) => second.once('exit', r));
      second.kill('SIGTERM');
      await exited;
    }
  });

  it('ends an open live-event stream when its key is revoked, and when its key expires', async () => {
    /** Opens the global stream with a credential; resolves with when it ended. */
    const open = async (key: string) => {
      const res = await fetch(`${system.baseUrl}/api/events?after=${await store.headPosition()}`, { headers: bearer(key) });
      expect(res.status).toBe(200);
      const ended = (async () => {
        for await (const _chunk of res.body!) {
          // Heartbeats and events until the gateway ends it.
        }
        return Date.now();
      })();
      return { ended };
    };
    const revoked = await createKey('streaming, then revoked', ['A'], 'reader');
    const { ended } = await open(revoked.key);
    await new Promise((r) => setTimeout(r, 200));
    const revokedAt = Date.now();
    expect((await api('DELETE', `/api/admin/keys/${revoked.id}`)).status).toBe(204);
    expect((await ended) - revokedAt).toBeLessThan(2_000);

    const expiresAt = Date.now() + 2_000;
    const expiring = await createKey('streaming until it expires', ['A'], 'reader', { expires_at: new Date(expiresAt).toISOString() });
    const { ended: expired } = await open(expiring.key);
    expect(await expired).toBeGreaterThanOrEqual(expiresAt);
    expect((await expired) - expiresAt).toBeLessThan(2_000);
  });

  it("keeps project B's events out of project A's live and audit streams", async () => {
    const readerA = callers.get('reader')!.headers;
    const writerB = callers.get("another project's key")!.headers;
    const writerA = callers.get('writer')!.headers;
    const after = await store.headPosition();
    const seen: { workflow: string; type: string }[] = [];
    const abort = new AbortController();
    const reading = (async () => {
      const res = await fetch(`${system.baseUrl}/api/events?after=${after}`, { headers: readerA as Record<string, string>, signal: abort.signal });
      const decoder = new TextDecoder();
      let buffered = '';
      try {
        for await (const chunk of res.body!) {
          buffered += decoder.decode(chunk as Uint8Array, { stream: true });
          for (const match of buffered.matchAll(/^data: (.*)$/gm)) {
            const record = JSON.parse(match[1]!) as { stream_id: string; type: string };
            seen.push({ workflow: record.stream_id.replace(/^workflow-/, ''), type: record.type });
          }
          buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
        }
      } catch {
        // aborted
      }
    })();
    // 250 workflows a project, 4 events each: 1,000 events of each project, interleaved.
    const ids = { A: [] as string[], B: [] as string[] };
    const drive = async (project: 'A' | 'B', headers: typeof writerA) => {
      const id = (await api('POST', '/api/ai-workflows/initialize', initializeBody({ project_id: project }), headers)).body.workflow_id as string;
      ids[project].push(id);
      for (let p = 0; p < 3; p++) await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: `${p}` }, headers);
    };
    const runs = Array.from({ length: 250 }, () => [() => drive('A', writerA), () => drive('B', writerB)]).flat();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let run = runs.shift(); run; run = runs.shift()) await run();
      }),
    );
    await waitFor("all of project A's events", () => seen.length >= ids.A.length * 4, { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 300));
    abort.abort();
    await reading;
    expect(seen).toHaveLength(ids.A.length * 4);
    expect(seen.filter((e) => ids.B.includes(e.workflow))).toEqual([]);
    expect(new Set(seen.map((e) => e.workflow))).toEqual(new Set(ids.A));
    for (const id of ids.B) {
      expect((await api('GET', `/api/ai-workflows/${id}/audit`, undefined, readerA)).status).toBe(404);
      expect(await sseStatus(`/api/ai-workflows/${id}/events`, readerA)).toBe(404);
    }
    // The listing shows A's reader A's workflows only.
    const listed = (await api('GET', '/api/ai-workflows?limit=500', undefined, readerA)).body.workflows as { workflow_id: string; project_id: string }[];
    expect(listed.filter((w) => w.project_id !== 'A')).toEqual([]);
    expect(listed.map((w) => w.workflow_id)).toEqual(expect.arrayContaining(ids.A));
    // Naming another project in the filter gives nothing of it either.
    expect(await sseStatus('/api/events?project_id=B', readerA)).toBe(200);
  });

  it('never writes a configured secret, key or token to any log line', async () => {
    const leaks: string[] = [];
    for (const service of [...SERVICES, 'second gateway'] as const) {
      const log = service === 'second gateway' ? secondGatewayLog : await system.logs(service);
      expect(log.length, `${service} logged nothing`).toBeGreaterThan(0);
      for (const secret of secrets) if (log.includes(secret)) leaks.push(`${service}: ${secret.slice(0, 8)}…`);
      if (/Bearer [A-Za-z0-9._~+/-]{8,}/.test(log)) leaks.push(`${service}: a bearer credential`);
    }
    expect(leaks).toEqual([]);
    // The run did log around the secrets: the failed provider check, the refused requests.
    expect(await system.logs('llm-runner')).toMatch(/anthropic/);
  });
});
