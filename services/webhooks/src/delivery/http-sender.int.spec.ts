import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from './http-sender';

/** The sender against a real server on 127.0.0.1: what it sends, and that it connects to the address it was given. */
describe('postJson', () => {
  let port: number;
  const seen: { headers: IncomingHttpHeaders; body: string; url: string }[] = [];
  let status = 200;
  let hang = false;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ headers: req.headers, body, url: req.url ?? '' });
      if (!hang) res.writeHead(status).end('x');
    });
  });

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('connects to the pinned address, never resolving the host name, and sends the body and headers', async () => {
    // The name does not exist: the request reaches 127.0.0.1 only because the lookup is pinned.
    const url = new URL(`http://webhook-receiver.invalid:${port}/hook?x=1`);
    const result = await postJson({ url, address: '127.0.0.1', family: 4 }, '{"a":1}', { 'content-type': 'application/json', 'X-TopDog-Event-Id': '7' }, 2_000);
    expect(result.statusCode).toBe(200);
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ body: '{"a":1}', url: '/hook?x=1' });
    expect(last.headers).toMatchObject({
      host: `webhook-receiver.invalid:${port}`,
      'content-type': 'application/json',
      'x-topdog-event-id': '7',
      'content-length': '7',
    });
  });

  it('reports a non-2xx status, and fails on no answer within the time limit or a refused connection', async () => {
    const url = new URL(`http://127.0.0.1:${port}/`);
    status = 500;
    expect((await postJson({ url, address: '127.0.0.1', family: 4 }, '{}', {}, 2_000)).statusCode).toBe(500);
    status = 200;
    hang = true;
    await expect(postJson({ url, address: '127.0.0.1', family: 4 }, '{}', {}, 300)).rejects.toThrow(/within 300 ms/);
    hang = false;
    await expect(postJson({ url: new URL('http://127.0.0.1:9/'), address: '127.0.0.1', family: 4 }, '{}', {}, 2_000)).rejects.toThrow(/ECONNREFUSED/);
  });
});
