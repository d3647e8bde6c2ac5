import { connect } from 'node:net';
import { ErrorResponse } from '@topdog/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from './support/credentials';
import { http, type HttpResult } from './support/http';
import { startSystem, type System } from './support/system';
import { waitFor } from './support/wait';

const PER_MINUTE = 25;
const MAX_STREAMS = 3;
const HEADERS_TIMEOUT_MS = 500;
const REQUEST_TIMEOUT_MS = 1_000;
const ALLOWED_ORIGIN = 'https://app.example.test';
const NO_SUCH_WORKFLOW = '/api/ai-workflows/00000000-0000-4000-8000-000000000000';

/** Our one error shape, and its code. */
function errorCodeOf(res: HttpResult): string {
  const parsed = ErrorResponse.safeParse(res.body);
  expect(parsed.success, JSON.stringify(res.body)).toBe(true);
  return parsed.data!.error.code;
}

/** What a client that sends its request slowly gets: the server's answer, and how soon the socket closed. */
function slowRequest(port: number, parts: string[], everyMs: number): Promise<{ received: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    let sent = 0;
    const drip = setInterval(() => {
      if (sent < parts.length && !socket.destroyed) socket.write(parts[sent++]!);
    }, everyMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(drip);
      resolve({ received, closedAfterMs: Date.now() - started });
    });
    // Never a hang: a socket still open long past the limits fails the test.
    setTimeout(() => {
      clearInterval(drip);
      socket.destroy();
      reject(new Error(`still open after 10 s; got ${JSON.stringify(received)}`));
    }, 10_000).unref();
  });
}

/** An open live-event stream (status 200), or the refusal the gateway answered with. */
async function openStream(system: System, key: string): Promise<{ status: number; body?: unknown; retryAfter: string | null; close(): void }> {
  const abort = new AbortController();
  const res = await fetch(`${system.baseUrl}/api/events`, { headers: { ...bearer(key), accept: 'text/event-stream' }, signal: abort.signal });
  if (res.status !== 200) return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after'), close: () => undefined };
  return { status: 200, retryAfter: null, close: () => abort.abort() };
}

describe('limits: rate, live streams, slow clients, CORS and security headers', () => {
  let system: System;
  const keys: Record<string, string> = {};
  const api = (method: string, path: string, headers: Record<string, string | undefined> = {}) => http(system.baseUrl, method, path, undefined, headers);

  beforeAll(async () => {
    system = await startSystem({
      RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
      SSE_MAX_CONNECTIONS_PER_IDENTITY: String(MAX_STREAMS),
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      CORS_ORIGINS: `${ALLOWED_ORIGIN}, https://other.example.test`,
    });
    // Each test its own identities: every key is its own actor, with its own budget.
    for (const [name, role] of [
      ['rate1', 'reader'],
      ['rate2', 'reader'],
      ['sse1', 'reader'],
      ['sse2', 'reader'],
      ['slow', 'writer'],
    ] as const) {
      const res = await http(system.baseUrl, 'POST', '/api/admin/keys', { name, projects: ['*'], role });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      keys[name] = res.body.key;
    }
  }, 60_000);

  afterAll(async () => {
    await system?.[Symbol.asyncDispose]();
  });

  it('answers the (N+1)th request of a minute 429 RATE_LIMITED with Retry-After; another identity is not affected', async () => {
    for (let i = 0; i < PER_MINUTE; i++) {
      const res = await api('GET', NO_SUCH_WORKFLOW, bearer(keys.rate1!));
      expect(res.status, `request ${i + 1}`).toBe(404);
    }
    const refused = await api('GET', NO_SUCH_WORKFLOW, bearer(keys.rate1!));
    expect(refused.status).toBe(429);
    expect(errorCodeOf(refused)).toBe('RATE_LIMITED');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    expect((await api('GET', NO_SUCH_WORKFLOW, bearer(keys.rate2!))).status).toBe(404);
    // Liveness and readiness are not counted, however often they are asked.
    for (let i = 0; i < PER_MINUTE + 5; i++) expect((await api('GET', '/healthz', { authorization: undefined })).status).toBe(200);
  });

  it('refuses an identity its (N+1)th open live-event stream with 429 until one closes; another identity is not affected', async () => {
    const streams = [];
    for (let i = 0; i < MAX_STREAMS; i++) {
      const stream = await openStream(system, keys.sse1!);
      expect(stream.status, `stream ${i + 1}`).toBe(200);
      streams.push(stream);
    }
    const refused = await openStream(system, keys.sse1!);
    expect(refused.status).toBe(429);
    expect(ErrorResponse.parse(refused.body).error.code).toBe('RATE_LIMITED');
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);

    const other = await openStream(system, keys.sse2!);
    expect(other.status).toBe(200);
    other.close();

    streams.pop()!.close();
    let reopened: Awaited<ReturnType<typeof openStream>> | undefined;
    await waitFor(
      'a freed stream place',
      async () => {
        reopened = await openStream(system, keys.sse1!);
        return reopened.status === 200;
      },
      { timeoutMs: 5_000, everyMs: 100 },
    );
    reopened!.close();
    for (const stream of streams) stream.close();
  });

  it('answers a client that sends its headers slower than the limit 408 REQUEST_TIMEOUT and closes it, never hangs', async () => {
    const headerLines = ['GET /healthz HTTP/1.1\r\n', 'Host: 127.0.0.1\r\n', ...Array.from({ length: 20 }, (_, i) => `X-Slow-${i}: 1\r\n`), '\r\n'];
    const { received, closedAfterMs } = await slowRequest(Number(new URL(system.baseUrl).port), headerLines, 150);
    expect(closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 2_000);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).toContain('"code":"REQUEST_TIMEOUT"');
  });

  it('answers a client that sends its body slower than the limit 408 REQUEST_TIMEOUT and closes it, never hangs', async () => {
    const body = JSON.stringify({ project_id: 'p' }).padEnd(200, ' ');
    const head = `POST /api/ai-workflows/initialize HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${keys.slow!}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const chunks = [head, ...(body.match(/.{1,10}/g) ?? [])];
    const { received, closedAfterMs } = await slowRequest(Number(new URL(system.baseUrl).port), chunks, 200);
    expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 2_000);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(received).toContain('"code":"REQUEST_TIMEOUT"');
  });

  it('allows the configured origins only (CORS), preflights included', async () => {
    const allowed = await api('GET', NO_SUCH_WORKFLOW, { ...bearer(keys.rate2!), origin: ALLOWED_ORIGIN });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    const other = await api('GET', NO_SUCH_WORKFLOW, { ...bearer(keys.rate2!), origin: 'https://evil.example.test' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const preflight = await api('OPTIONS', '/api/ai-workflows/initialize', {
      authorization: undefined,
      origin: ALLOWED_ORIGIN,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type, idempotency-key',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
  });

  it('sends the security headers on API answers, refusals included, and a CSP at /docs that lets Swagger UI run', async () => {
    const answers = [
      await api('GET', NO_SUCH_WORKFLOW, bearer(keys.rate2!)),
      await api('GET', NO_SUCH_WORKFLOW, { authorization: undefined }),
      await api('GET', '/healthz'),
    ];
    expect(answers.map((a) => a.status)).toEqual([404, 401, 200]);
    for (const res of answers) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
    }
    const docs = await fetch(`${system.baseUrl}/docs/static/index.html`);
    expect(docs.status).toBe(200);
    const docsCsp = docs.headers.get('content-security-policy') ?? '';
    expect(docsCsp).toContain("script-src 'self'");
    expect(docsCsp).toContain("frame-ancestors 'none'");
    expect(docsCsp).not.toContain('upgrade-insecure-requests');
    // The docs' files are public and the same for everyone: cacheable, where the API's answers are not.
    expect(docs.headers.get('cache-control')).not.toBe('no-store');
  });
});

describe('CORS without CORS_ORIGINS', () => {
  let system: System;

  beforeAll(async () => {
    system = await startSystem();
  }, 60_000);

  afterAll(async () => {
    await system?.[Symbol.asyncDispose]();
  });

  it('is off: no Access-Control-Allow-Origin for any origin, and no preflight answered', async () => {
    const res = await http(system.baseUrl, 'GET', NO_SUCH_WORKFLOW, undefined, { origin: ALLOWED_ORIGIN });
    expect(res.status).toBe(404);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await http(system.baseUrl, 'OPTIONS', '/api/ai-workflows/initialize', undefined, {
      authorization: undefined,
      origin: ALLOWED_ORIGIN,
      'access-control-request-method': 'POST',
    });
    expect(preflight.status).not.toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});
