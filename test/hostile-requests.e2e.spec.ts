import { connect, type NatsConnection } from '@nats-io/transport-node';
import { ErrorResponse } from '@topdog/contracts';
import { JetStreamEventStore } from '@topdog/event-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, TEST_ADMIN_KEY } from './support/credentials';
import {
  base64urlGarbage,
  deepJson,
  headerGarbage,
  newAgent,
  objectText,
  rawJson,
  seededRandom,
  send,
  textGarbage,
  type HostileRequest,
  type HostileResponse,
  type Random,
} from './support/hostile-requests';
import { http, initializeBody } from './support/http';
import { startJwksServer, TEST_AUDIENCE, TEST_ISSUER, type JwksFixture } from './support/jwks-server';
import { startSystem, type System } from './support/system';

/** HOSTILE_SEED=<n> replays a run; the default keeps the suite deterministic. */
const SEED = Number(process.env.HOSTILE_SEED ?? 20261201);
const REFUSED_REQUESTS = 5_000;
const MIXED_REQUESTS = 5_000;
const CONCURRENCY = 16;

/** The status each error code is sent with (the README's error table). */
const STATUS_OF: Record<string, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  PROVIDER_NOT_CONFIGURED: 422,
  BUDGET_EXCEEDED: 422,
  HEADERS_TOO_LARGE: 431,
};

type Role = 'reader' | 'writer' | 'admin';
const RANK: Record<Role, number> = { reader: 0, writer: 1, admin: 2 };

interface Credential {
  name: string;
  /** undefined: refused before any role is looked at (401, or 403 for a token without a role). */
  role: Role | undefined;
  headers: () => Record<string, string | string[]>;
}

type BodyKind = 'command' | 'none';
interface Endpoint {
  name: string;
  method: string;
  /** undefined: public. */
  needs: Role | undefined;
  path: (rnd: Random) => string;
  body: BodyKind;
  /** A valid body to mutate. */
  base?: (rnd: Random) => [string, unknown][];
  stream?: boolean;
}

/** A body that no schema accepts, whoever sends it: refused with a 4xx, whatever the credential. */
function alwaysInvalidBody(rnd: Random, base: [string, unknown][]): { text: string; kind: string } {
  switch (rnd.int(9)) {
    case 0:
      return { text: JSON.stringify(base.map(([, v]) => v)), kind: 'array body' };
    case 1:
      return { text: rnd.pick(['null', '1', '"x"', 'true', '[]', '[{}]']), kind: 'primitive body' };
    case 2:
      return { text: objectText(base).slice(0, 1 + rnd.int(objectText(base).length - 1)), kind: 'truncated JSON' };
    case 3:
      return { text: rnd.pick(['{', '}', "{'a':1}", '{"a":NaN}', '{"a":1e999999', '\u0000', '{"a":1,}', '']), kind: 'malformed JSON' };
    case 4: {
      const [k] = rnd.pick(base);
      return { text: objectText(base.map(([key, v]) => [key, key === k ? rnd.pick([123, true, [], { $ne: 1 }, 1e308]) : v])), kind: `wrong type for ${k}` };
    }
    case 5:
      return { text: objectText([...base, ['__proto__', { role: 'admin', projects: ['*'] }]]), kind: '__proto__ key' };
    case 6:
      return { text: objectText([...base, ['constructor', { prototype: { role: 'admin' } }]]), kind: 'constructor key' };
    case 7:
      return { text: objectText([...base, [textGarbage(rnd, 8), textGarbage(rnd, 20)]]), kind: 'extra field' };
    default:
      return { text: objectText([...base, ['', 1]]), kind: 'field without a name' };
  }
}

/** Any body: valid ones, the always-invalid ones, nulls, deep nesting, huge strings under the limit. */
function anyBody(rnd: Random, base: [string, unknown][]): { text: string; kind: string } {
  const n = rnd.int(10);
  if (n < 3) return { text: objectText(base), kind: 'valid' };
  if (n < 6) return alwaysInvalidBody(rnd, base);
  if (n === 6) return { text: objectText(base.map(([k, v]) => [k, rnd.chance(0.5) ? null : v])), kind: 'nulls' };
  if (n === 7) {
    const [k] = rnd.pick(base);
    const depth = rnd.pick([64, 1_000, 10_000, 100_000]);
    return { text: objectText(base.map(([key, v]) => [key, key === k ? rawJson(deepJson(depth, rnd.chance(0.5))) : v])), kind: `${k} nested ${depth} deep` };
  }
  if (n === 8) {
    const [k] = rnd.pick(base);
    const length = rnd.pick([10_000, 100_000, 400_000]);
    return { text: objectText(base.map(([key, v]) => [key, key === k ? textGarbage(rnd, length) : v])), kind: `${k}: ${length} characters` };
  }
  return { text: objectText(base.map(([k, v]) => [k, typeof v === 'string' ? textGarbage(rnd, 1 + rnd.int(64)) : v])), kind: 'unicode strings' };
}

const INVALID_IDS = [
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  '%zz',
  '%',
  '..%2F..%2Fadmin',
  '%E2%80%AE',
  'null',
  '__proto__',
  'constructor',
  '%00',
];

describe('hostile requests', () => {
  let system: System;
  let jwks: JwksFixture;
  let nc: NatsConnection;
  let store: JetStreamEventStore;
  let port: number;
  let workflows: { A: string; B: string };
  const valid: Credential[] = [];
  const invalid: Credential[] = [];
  const api = (method: string, path: string, body?: unknown, headers: Record<string, string | undefined> = {}) =>
    http(system.baseUrl, method, path, body, headers);

  beforeAll(async () => {
    jwks = await startJwksServer();
    system = await startSystem({ AUTH_JWKS_URL: jwks.jwksUrl, AUTH_ISSUER: TEST_ISSUER, AUTH_AUDIENCE: TEST_AUDIENCE, LOG_LEVEL: 'warn' });
    port = Number(new URL(system.baseUrl).port);
    nc = await connect({ servers: system.nats.url });
    store = await JetStreamEventStore.create(nc, { prefix: system.prefix });
    const init = async (project: string) =>
      (await api('POST', '/api/ai-workflows/initialize', initializeBody({ project_id: project }))).body.workflow_id as string;
    workflows = { A: await init('A'), B: await init('B') };
    const keyOf = async (name: string, projects: string[], role: Role) => {
      const res = await api('POST', '/api/admin/keys', { name, projects, role });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body as { id: string; key: string };
    };
    for (const project of ['A', 'B']) {
      for (const role of ['admin', 'writer', 'reader'] as const) {
        const { key } = await keyOf(`${role} ${project}`, [project], role);
        valid.push({ name: `${role} ${project}`, role, headers: () => bearer(key) });
      }
    }
    const jwtWriter = await jwks.sign({ topdog_role: 'writer', topdog_projects: ['A'] });
    valid.push({ name: 'JWT writer A', role: 'writer', headers: () => bearer(jwtWriter) });

    const revoked = await keyOf('revoked', ['A'], 'admin');
    expect((await api('DELETE', `/api/admin/keys/${revoked.id}`)).status).toBe(204);
    const known = valid[0]!.headers().authorization as string;
    const claims = { topdog_role: 'admin', topdog_projects: ['*'] };
    const tokens = {
      otherKey: await jwks.sign(claims, { otherKey: true }),
      expired: await jwks.sign(claims, { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
      wrongIssuer: await jwks.sign({ ...claims, iss: 'https://evil.test' }),
      algNone: jwks.unsigned(claims),
      noRole: await jwks.sign({ topdog_projects: ['A'] }),
    };
    const add = (name: string, headers: (rnd?: Random) => Record<string, string | string[]>) => invalid.push({ name, role: undefined, headers });
    const garbageRnd = seededRandom(SEED ^ 0x5eed);
    add('no credential', () => ({}));
    add('unknown key', () => bearer(`tdk_${base64urlGarbage(garbageRnd, 12).toLowerCase().replace(/[-_]/g, '0')}_${base64urlGarbage(garbageRnd, 43)}`));
    add('revoked key', () => bearer(revoked.key));
    add('wrong secret', () => ({ authorization: `${known.slice(0, -6)}${base64urlGarbage(garbageRnd, 6)}` }));
    add('key with a character more', () => ({ authorization: `${known}A` }));
    add('malformed key', () => bearer(`tdk_${base64urlGarbage(garbageRnd, 1 + garbageRnd.int(80))}`));
    // (Node trims the value's outer whitespace, so ' Bearer <key>' and '<key> ' are the key itself.)
    for (const scheme of ['bearer', 'BEARER', 'Basic', 'Token', 'Bearer:', 'Bearer\t', 'Bearer  '])
      add(`scheme "${scheme}"`, () => ({ authorization: `${scheme} ${known.slice(7)}` }));
    add('Bearer alone', () => ({ authorization: 'Bearer' }));
    add('Bearer and a space', () => ({ authorization: 'Bearer ' }));
    add('two credentials in one header', () => ({ authorization: `${known} ${known.slice(7)}` }));
    add('header garbage', () => ({ authorization: headerGarbage(garbageRnd, 1 + garbageRnd.int(200)) }));
    add('huge Authorization (under the header limit)', () => ({ authorization: `Bearer ${base64urlGarbage(garbageRnd, 12_000)}` }));
    add('Authorization over the header limit', () => ({ authorization: `Bearer ${base64urlGarbage(garbageRnd, 20_000)}` }));
    add('repeated invalid Authorization', () => ({ authorization: ['Bearer x', `Bearer ${base64urlGarbage(garbageRnd, 30)}`] }));
    add('JWT-shaped garbage', () => bearer(`${base64urlGarbage(garbageRnd, 36)}.${base64urlGarbage(garbageRnd, 80)}.${base64urlGarbage(garbageRnd, 43)}`));
    add('JWT with a JSON header of garbage', () =>
      bearer(`${Buffer.from('{"alg":"RS256","kid":"x"}').toString('base64url')}.${base64urlGarbage(garbageRnd, 40)}.`),
    );
    for (const [name, token] of Object.entries(tokens)) add(`JWT ${name}`, () => bearer(token));
  });

  afterAll(async () => {
    await nc?.close();
    await system?.[Symbol.asyncDispose]();
    await jwks?.[Symbol.asyncDispose]();
  });

  const endpoints = (): Endpoint[] => {
    const workflowId = (rnd: Random) => {
      const n = rnd.int(10);
      if (n < 3) return workflows.A;
      if (n < 5) return workflows.B;
      if (n < 6) return randomUUIDFrom(rnd);
      if (n < 7) return 'x'.repeat(101 + rnd.int(400));
      return rnd.pick(INVALID_IDS);
    };
    const initialize = (rnd: Random): [string, unknown][] => [
      ['project_id', rnd.pick(['A', 'B', 'C'])],
      ['user_id', 'u'],
      ['requirements', { description: 'hostile' }],
      ['model', rnd.pick(['gpt-4', 'gpt-4', 'no-such-model'])],
    ];
    return [
      { name: 'initialize', method: 'POST', needs: 'writer', path: () => '/api/ai-workflows/initialize', body: 'command', base: initialize },
      {
        name: 'complete-phase',
        method: 'POST',
        needs: 'writer',
        path: () => '/api/ai-workflows/complete-phase',
        body: 'command',
        base: (rnd) => [
          ['workflow_id', workflowId(rnd)],
          ['ai_response', 'answer'],
          ['phase_result', { ok: true }],
        ],
      },
      {
        name: 'run-phase',
        method: 'POST',
        needs: 'writer',
        path: (rnd) => `/api/ai-workflows/${workflowId(rnd)}/run-phase`,
        body: 'command',
        base: (rnd) => [['expected_state', rnd.pick(['DISCOVERY', 'PLANNING', 'NOPE'])]],
      },
      // A person's decisions: a comment or reason, garbage or missing, and phases that are or are not earlier.
      ...(['approve', 'reject', 'cancel'] as const).map((command): Endpoint => ({
        name: command,
        method: 'POST',
        needs: 'writer',
        path: (rnd) => `/api/ai-workflows/${workflowId(rnd)}/${command}`,
        body: 'command',
        base: (rnd) => [[command === 'cancel' ? 'reason' : 'comment', rnd.pick(['why', '', ' ', 'x'.repeat(30_000)])]],
      })),
      {
        name: 'send-back',
        method: 'POST',
        needs: 'writer',
        path: (rnd) => `/api/ai-workflows/${workflowId(rnd)}/send-back`,
        body: 'command',
        base: (rnd) => [
          ['to_phase', rnd.pick(['DISCOVERY', 'PLANNING', 'DEPLOYMENT', 'COMPLETE', 'CANCELLED', 'NOPE'])],
          ['reason', rnd.pick(['why', ''])],
        ],
      },
      // Sent only by those it refuses: a rebuild makes the projector catch up, when queries may wait.
      { name: 'rebuild', method: 'POST', needs: 'admin', path: () => '/api/admin/read-models/rebuild', body: 'command', base: () => [['x', 1]] },
      {
        name: 'keys create',
        method: 'POST',
        needs: 'admin',
        path: () => '/api/admin/keys',
        body: 'command',
        base: (rnd) => [
          ['name', 'hostile'],
          ['projects', [rnd.pick(['A', 'B', '*'])]],
          ['role', rnd.pick(['reader', 'writer', 'admin', 'root'])],
        ],
      },
      {
        name: 'status',
        method: 'GET',
        needs: 'reader',
        path: (rnd) =>
          `/api/ai-workflows/status/${workflowId(rnd)}${rnd.chance(0.3) ? `?at=${rnd.pick(['0', '-1', '1e9', 'x', '99999999999999999999', ''])}` : ''}`,
        body: 'none',
      },
      {
        name: 'list',
        method: 'GET',
        needs: 'reader',
        path: (rnd) =>
          `/api/ai-workflows?${rnd.pick(['', 'limit=1', 'limit=-1', 'limit=100000', 'cursor=garbage', 'cursor=%zz', 'project_id=B', 'created_after=x', 'state=NOPE', 'limit=1&limit=2'])}`,
        body: 'none',
      },
      { name: 'get-ai-prompt', method: 'POST', needs: 'reader', path: (rnd) => `/api/ai-workflows/get-ai-prompt/${workflowId(rnd)}`, body: 'none' },
      {
        name: 'workflow events',
        method: 'GET',
        needs: 'reader',
        path: (rnd) =>
          `/api/ai-workflows/${workflowId(rnd)}/events${rnd.chance(0.5) ? `?after=${rnd.pick(['0', '-5', 'x', '1e30'])}&types=${rnd.pick(['token', 'Nope', ''])}` : ''}`,
        body: 'none',
        stream: true,
      },
      {
        name: 'all events',
        method: 'GET',
        needs: 'reader',
        path: (rnd) => `/api/events?after=${rnd.pick(['0', 'x', '-1'])}&project_id=${rnd.pick(['A', 'B', '%00'])}`,
        body: 'none',
        stream: true,
      },
      {
        name: 'audit',
        method: 'GET',
        needs: 'reader',
        path: (rnd) => `/api/ai-workflows/${workflowId(rnd)}/audit?from_revision=${rnd.pick(['0', '-1', 'x'])}&limit=${rnd.pick(['1', '0', '5000'])}`,
        body: 'none',
      },
      { name: 'audit verify', method: 'GET', needs: 'reader', path: (rnd) => `/api/ai-workflows/${workflowId(rnd)}/audit/verify`, body: 'none' },
      { name: 'read-models progress', method: 'GET', needs: 'admin', path: () => '/api/admin/read-models', body: 'none' },
      { name: 'keys list', method: 'GET', needs: 'admin', path: () => '/api/admin/keys', body: 'none' },
      // Never an id of a key this test made: the ids are 12 random characters.
      {
        name: 'keys revoke',
        method: 'DELETE',
        needs: 'admin',
        path: (rnd) => `/api/admin/keys/${rnd.pick([base64urlGarbage(rnd, 12), '%zz', 'x'.repeat(150), '__proto__'])}`,
        body: 'none',
      },
      // Webhook URLs are loopback literals or malformed only: this system does not allow private
      // targets, so none is registered, and no name is ever looked up in DNS.
      {
        name: 'webhooks create',
        method: 'POST',
        needs: 'writer',
        path: () => '/api/webhooks',
        body: 'command',
        base: (rnd) => [
          ['url', rnd.pick(['http://127.0.0.1:9/x', 'https://127.0.0.2/x', 'http://[::1]:9/x', 'ftp://127.0.0.1/x', 'http://u:p@127.0.0.1/x', 'not a url'])],
          ['events', rnd.pick([['PhaseCompleted'], ['WorkflowCompleted', 'ApprovalRequested'], ['Nope'], []])],
          ['project_id', rnd.pick(['A', 'B', 'C'])],
        ],
      },
      { name: 'webhooks list', method: 'GET', needs: 'reader', path: () => '/api/webhooks', body: 'none' },
      {
        name: 'webhook deliveries',
        method: 'GET',
        needs: 'reader',
        path: (rnd) => `/api/webhooks/${rnd.pick([base64urlGarbage(rnd, 16), '0000000000000000', '%zz', 'x'.repeat(150), '__proto__'])}/deliveries`,
        body: 'none',
      },
      {
        name: 'webhook delete',
        method: 'DELETE',
        needs: 'writer',
        path: (rnd) => `/api/webhooks/${rnd.pick([base64urlGarbage(rnd, 16), '0000000000000000', '%zz', 'x'.repeat(150), '__proto__'])}`,
        body: 'none',
      },
      { name: 'providers', method: 'GET', needs: 'reader', path: () => '/api/llm/providers', body: 'none' },
      { name: 'models', method: 'GET', needs: 'reader', path: () => '/api/llm/models', body: 'none' },
      { name: 'healthz', method: 'GET', needs: undefined, path: () => '/healthz', body: 'none' },
      { name: 'readyz', method: 'GET', needs: undefined, path: () => '/readyz', body: 'none' },
      { name: 'docs json', method: 'GET', needs: undefined, path: () => '/docs/json', body: 'none' },
      {
        name: 'unknown path',
        method: 'GET',
        needs: 'reader',
        path: (rnd) =>
          rnd.pick([
            '/api/nothing',
            `/api/${'a/'.repeat(2_000 + rnd.int(2_000))}`,
            `/${'%41'.repeat(3_000)}`,
            '/api/ai-workflows/status/',
            '/api//admin/keys',
            '/%2e%2e/%2e%2e/etc/passwd',
          ]),
        body: 'none',
      },
      { name: 'wrong method', method: 'PATCH', needs: 'reader', path: () => '/api/ai-workflows/initialize', body: 'none' },
    ];
  };

  /** Headers anyone might send: Content-Type, Idempotency-Key, If-Match and friends, garbage or not. */
  function hostileHeaders(rnd: Random, body: boolean): Record<string, string> {
    const h: Record<string, string> = {};
    if (body) {
      const contentTypes = [
        'text/plain',
        'application/json; charset=utf-16',
        'application/x-www-form-urlencoded',
        'APPLICATION/JSON',
        'application/jsonx',
        headerGarbage(rnd, 20),
      ];
      h['content-type'] = rnd.chance(0.8) ? 'application/json' : rnd.pick(contentTypes);
    }
    if (rnd.chance(0.3)) h['idempotency-key'] = rnd.pick([randomUUIDFrom(rnd), headerGarbage(rnd, 1 + rnd.int(300)), '', 'a'.repeat(5_000)]);
    if (rnd.chance(0.2)) h['if-match'] = rnd.pick(['"1"', '*', 'W/"1"', '"-1"', '"99999999999999999999"', headerGarbage(rnd, 30), '"1", "2"']);
    if (rnd.chance(0.1)) h['x-correlation-id'] = headerGarbage(rnd, 1 + rnd.int(500));
    if (rnd.chance(0.1)) h['last-event-id'] = rnd.pick(['-1', 'x', '1e30', headerGarbage(rnd, 10)]);
    if (rnd.chance(0.1)) h.accept = rnd.pick(['application/x-ndjson', 'text/html', '*/*', headerGarbage(rnd, 10)]);
    if (rnd.chance(0.05)) h['x-actor'] = 'mallory';
    return h;
  }

  /**
   * One request. `refusedOnly`: a request that must be refused whatever the system's state (no
   * valid credential, a role below the endpoint's, or a command body no schema accepts).
   */
  function generate(rnd: Random, refusedOnly: boolean): HostileRequest {
    const all = endpoints();
    for (;;) {
      const endpoint = rnd.pick(all);
      const credential = rnd.chance(refusedOnly ? 0.6 : 0.3) ? rnd.pick(invalid) : rnd.pick(valid);
      const role = credential.role;
      const isPublic = endpoint.needs === undefined;
      const allowed = role !== undefined && (isPublic || RANK[role] >= RANK[endpoint.needs!]);
      if (endpoint.name === 'rebuild' && allowed) continue;
      if (endpoint.name === 'keys revoke' && allowed && refusedOnly) continue;
      const base = endpoint.base?.(rnd) ?? [];
      let body: { text: string; kind: string } | undefined;
      if (endpoint.body === 'command') body = allowed && refusedOnly ? alwaysInvalidBody(rnd, base) : anyBody(rnd, base);
      else if (rnd.chance(0.05)) body = { text: textGarbage(rnd, 50), kind: 'unexpected body' };
      if (refusedOnly && (isPublic || (allowed && endpoint.body !== 'command'))) continue;
      const headers: Record<string, string | string[]> = { ...hostileHeaders(rnd, body !== undefined), ...credential.headers() };
      // Known gap: after a body sent to an endpoint that takes none (a GET, get-ai-prompt, a
      // wrong method) and answered early (401 from the authentication hook, say), the next
      // request on that keep-alive connection gets no answer. Such a body goes on a connection
      // of its own until the gateway reads it off.
      if (body && endpoint.body === 'none') headers.connection = 'close';
      if (body && Buffer.byteLength(body.text) > 1_000_000) continue;
      // Headers (and the request line) over Node's limit are answered (431) and the connection cut at once: a body
      // behind them could turn that answer into a reset, so such a request carries none.
      const path = endpoint.path(rnd);
      const headerBytes = Object.values(headers)
        .flat()
        .reduce((n, v) => n + String(v).length, path.length);
      if (headerBytes > 15_000) body = undefined;
      return {
        label: `${endpoint.name} as ${credential.name}${body ? ` with ${body.kind}` : ''}`,
        method: endpoint.method,
        path,
        headers,
        ...(body ? { body: body.text } : {}),
        stream: endpoint.stream === true,
      };
    }
  }

  function problems(r: HostileRequest, res: HostileResponse): string[] {
    const found: string[] = [];
    if (res.status >= 500) found.push(`${res.status}: ${res.text.slice(0, 300)}`);
    if (res.status >= 400) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(res.text);
      } catch {
        found.push(`${res.status} not JSON: ${res.text.slice(0, 200)}`);
      }
      const shaped = ErrorResponse.safeParse(parsed);
      if (parsed !== undefined && !shaped.success) found.push(`${res.status} not in the error shape: ${res.text.slice(0, 200)}`);
      if (shaped.success && STATUS_OF[shaped.data.error.code] !== res.status) found.push(`${res.status} with code ${shaped.data.error.code}`);
      if (res.status === 401 && !String(res.headers['www-authenticate'] ?? '').startsWith('Bearer')) found.push('401 without WWW-Authenticate: Bearer');
    }
    return found.map((p) => `${r.method} ${r.path.slice(0, 120)} (${r.label}): ${p}`);
  }

  async function run(requests: HostileRequest[], check: (r: HostileRequest, res: HostileResponse) => string[]) {
    const agent = newAgent(CONCURRENCY);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < requests.length; i = next++) {
          const r = requests[i]!;
          try {
            const res = await send(agent, port, r);
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            failures.push(...check(r, res).map((f) => `#${i} ${f}`));
          } catch (err) {
            failures.push(`#${i} ${r.method} ${r.path.slice(0, 120)} (${r.label}): no answer: ${String(err)}`);
          }
        }
      }),
    );
    agent.destroy();
    return { failures, statuses: Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])) };
  }

  const keyCount = async () => (await api('GET', '/api/admin/keys', undefined, bearer(TEST_ADMIN_KEY))).body.keys.length as number;

  it(`refuses ${REFUSED_REQUESTS.toLocaleString('en-US')} requests without a credential, role or body that allows them, writing nothing (seed ${SEED})`, async () => {
    console.log(`hostile requests: seed ${SEED} (HOSTILE_SEED=${SEED} replays it)`);
    const rnd = seededRandom(SEED);
    const requests = Array.from({ length: REFUSED_REQUESTS }, () => generate(rnd, true));
    const head = await store.headPosition();
    const keys = await keyCount();
    const { failures, statuses } = await run(requests, (r, res) => [
      ...problems(r, res),
      ...(res.status < 400 ? [`${r.method} ${r.path.slice(0, 120)} (${r.label}): ${res.status}, expected a refusal`] : []),
    ]);
    console.log(`hostile requests (refused): ${JSON.stringify(statuses)}`);
    expect(failures.slice(0, 20), `seed ${SEED}: ${failures.length} failures`).toEqual([]);
    expect(await store.headPosition(), 'a refused request wrote to the event store').toBe(head);
    expect(await keyCount(), 'a refused request made a key').toBe(keys);
  });

  it(`answers ${MIXED_REQUESTS.toLocaleString('en-US')} requests of every kind, valid credentials and bodies among them, with no 5xx and every error in its shape (seed ${SEED})`, async () => {
    const rnd = seededRandom(SEED + 1);
    const requests = Array.from({ length: MIXED_REQUESTS }, () => generate(rnd, false));
    const { failures, statuses } = await run(requests, problems);
    console.log(`hostile requests (mixed): ${JSON.stringify(statuses)}`);
    expect(failures.slice(0, 20), `seed ${SEED}: ${failures.length} failures`).toEqual([]);
    expect(
      Object.keys(statuses).some((s) => Number(s) < 300),
      'some requests were allowed',
    ).toBe(true);
  });

  it('still refuses after the run: no request changed who may do what', async () => {
    const reader = valid.find((c) => c.name === 'reader A')!.headers() as Record<string, string>;
    expect((await api('POST', '/api/ai-workflows/initialize', initializeBody({ project_id: 'A' }), reader)).status).toBe(403);
    expect((await api('GET', '/api/admin/keys', undefined, { authorization: undefined })).status).toBe(401);
    expect((await api('GET', `/api/ai-workflows/status/${workflows.B}`, undefined, reader)).status).toBe(404);
    expect((await api('GET', '/readyz', undefined, { authorization: undefined })).status).toBe(200);
  });
});

/** A random v4 UUID from the seeded generator (unknown to the system, reproducible). */
function randomUUIDFrom(rnd: Random): string {
  const hex = Array.from({ length: 32 }, () => rnd.int(16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
