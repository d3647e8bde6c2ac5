import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  body: { id: string; type: string; stream_id: string; position: number; [k: string]: unknown };
  status: number;
}

/** A webhook receiver on 127.0.0.1 (only): records each request, answers what `answer` says (200 by default). */
export interface WebhookReceiver extends AsyncDisposable {
  url: string;
  port: number;
  received: ReceivedDelivery[];
  /** The status to answer the `n`th request (from 1) with, given its body; never called: 200. */
  answer: (n: number, body: ReceivedDelivery['body']) => number;
}

export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const received: ReceivedDelivery[] = [];
  const receiver = { received, answer: () => 200 } as unknown as WebhookReceiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = JSON.parse(raw) as ReceivedDelivery['body'];
      const status = receiver.answer(received.length + 1, body);
      received.push({ headers: req.headers, raw, body, status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  receiver.port = bound;
  receiver.url = `http://127.0.0.1:${bound}/hook`;
  receiver[Symbol.asyncDispose] = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** What a receiver does to check a delivery: the HMAC-SHA256 of the raw body with the secret, compared in constant time. */
export function signatureValid(secret: string, raw: string, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
