import { connect } from 'node:net';
import { ErrorResponse } from '@topdog/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeBody } from './support/http';
import { startSystem, type System } from './support/system';
import { adminAuth, TEST_ADMIN_KEY } from './support/credentials';

const MiB = 1024 * 1024;
/** The race the 413 tests are about is lost only some of the time: each runs this many times. */
const ROUNDS = 5;

/** The response's status and its body, which must be our one error shape. */
async function errorOf(res: Response): Promise<{ status: number; error: ErrorResponse['error'] }> {
  const text = await res.text();
  const parsed = ErrorResponse.safeParse(JSON.parse(text));
  expect(parsed.success, text).toBe(true);
  return { status: res.status, error: parsed.data!.error };
}

/** Sends raw bytes and returns everything the server writes back before it closes. */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(request));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error(`no answer; got ${JSON.stringify(received)}`)));
  });
}

/** A raw HTTP response's status and JSON body. */
function parseRaw(raw: string): { status: number; headers: string; body: unknown } {
  const [head = '', body = ''] = raw.split('\r\n\r\n', 2);
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head, body: JSON.parse(body) };
}

describe('errors the HTTP framework raises itself, in our one shape', () => {
  let system: System;
  let port: number;
  const url = (path: string) => `${system.baseUrl}${path}`;

  beforeAll(async () => {
    system = await startSystem();
    port = Number(new URL(system.baseUrl).port);
  });
  afterAll(async () => {
    await system?.[Symbol.asyncDispose]();
  });

  // fetch (undici) writes the whole body before it reads a response; a server that answers
  // and closes meanwhile makes it report EPIPE or ECONNRESET instead of the 413.
  it('413 reaches fetch, which writes its whole 12 MiB body before reading the answer', async () => {
    const body = JSON.stringify(initializeBody({ requirements: { text: 'x'.repeat(12 * MiB) } }));
    for (let round = 0; round < ROUNDS; round++) {
      const res = await fetch(url('/api/ai-workflows/initialize'), { method: 'POST', headers: { 'content-type': 'application/json', ...adminAuth() }, body });
      expect(await errorOf(res)).toMatchObject({ status: 413, error: { code: 'PAYLOAD_TOO_LARGE' } });
    }
  });

  it('413 reaches fetch for a streamed 12 MiB body without Content-Length (chunked)', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(MiB));
    for (let round = 0; round < ROUNDS; round++) {
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 12) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const res = await fetch(url('/api/ai-workflows/initialize'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...adminAuth() },
        body: stream,
        duplex: 'half',
      });
      expect(await errorOf(res)).toMatchObject({ status: 413, error: { code: 'PAYLOAD_TOO_LARGE' } });
    }
  });

  it('414 URI_TOO_LONG names the path parameter over the length limit', async () => {
    const long = 'a'.repeat(150);
    for (const [method, path] of [
      ['GET', `/api/ai-workflows/status/${long}`],
      ['POST', `/api/ai-workflows/${long}/run-phase`],
      ['GET', `/api/ai-workflows/${long}/audit`],
    ] as const) {
      const r = await errorOf(await fetch(url(path), { method, headers: adminAuth() }));
      expect(r, `${method} ${path}`).toEqual({
        status: 414,
        error: { code: 'URI_TOO_LONG', message: expect.any(String), details: [{ field: 'workflow_id', reason: 'longer than 100 characters' }] },
      });
    }
  });

  it('400 for a malformed %-escape in a path parameter, naming it', async () => {
    const r = await errorOf(await fetch(url('/api/ai-workflows/status/%zz'), { headers: adminAuth() }));
    expect(r).toMatchObject({ status: 400, error: { code: 'VALIDATION_FAILED', details: [{ field: 'workflow_id' }] } });
  });

  it('431 HEADERS_TOO_LARGE for headers over the server limit', async () => {
    const raw = await rawRequest(port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const r = parseRaw(raw);
    expect(r.status, raw).toBe(431);
    expect(ErrorResponse.parse(r.body).error.code).toBe('HEADERS_TOO_LARGE');
    expect(r.headers).toMatch(/content-type: application\/json/i);
  });

  it('400 for a request Node cannot parse (an unknown method), and 404 for a method a route lacks', async () => {
    const r = parseRaw(await rawRequest(port, 'BREW /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    expect(r.status).toBe(400);
    expect(ErrorResponse.parse(r.body).error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: '(request)' }] });
    const wrongMethod = await errorOf(await fetch(url('/api/ai-workflows/initialize'), { method: 'DELETE', headers: adminAuth() }));
    expect(wrongMethod).toMatchObject({ status: 404, error: { code: 'NOT_FOUND' } });
  });

  it('keeps a keep-alive connection open after a refusal, a body it cannot parse or an unknown path', async () => {
    const body = JSON.stringify({ workflow_id: 'x', ai_response: 'y'.repeat(5_000) });
    const auth = `Authorization: Bearer ${TEST_ADMIN_KEY}\r\n`;
    const post = (path: string, headers: string, payload: string) =>
      `POST ${path} HTTP/1.1\r\nHost: x\r\n${headers}Content-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`;
    const status = `GET /api/ai-workflows/status/00000000-0000-4000-8000-000000000000 HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`;
    const firsts: Record<string, string> = {
      'no credential': post('/api/ai-workflows/complete-phase', 'Content-Type: application/json\r\n', body),
      'a media type it does not take': post('/api/ai-workflows/complete-phase', `${auth}Content-Type: text/plain\r\n`, body),
      'a body that is not JSON': post('/api/ai-workflows/complete-phase', `${auth}Content-Type: application/json\r\n`, '{{{{{'),
      'an unknown path': post('/nope', `${auth}Content-Type: application/json\r\n`, body),
    };
    for (const [what, first] of Object.entries(firsts)) {
      const answers = [...(await rawRequest(port, first + status)).matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
      expect(answers.length, what).toBe(2);
      expect(answers[1], what).toBe(404);
    }
  });

  it('is still up and answering after all of the above', async () => {
    expect((await fetch(url('/healthz'))).status).toBe(200);
    const res = await fetch(url('/api/ai-workflows/initialize'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminAuth() },
      body: JSON.stringify(initializeBody()),
    });
    expect(res.status).toBe(200);
  });
});
