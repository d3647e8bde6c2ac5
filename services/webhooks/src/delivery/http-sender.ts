import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CheckedTarget } from '../ssrf/resolve-target';

export interface SendResult {
  statusCode: number;
}

/** How much of a receiver's answer is read (and dropped): enough to reuse nothing, bounded. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs one body to a checked target with `node:http(s)`. The connection goes to the address
 * that was checked (a lookup that answers only it), never to a fresh DNS answer; TLS still
 * verifies the certificate against the URL's host name. No redirect is followed (a 3xx is an
 * answer like any other non-2xx). Rejects on a network error or when `timeoutMs` passes.
 */
export function postJson(target: CheckedTarget, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendResult> {
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const { url } = target;
  const options: RequestOptions = {
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    lookup: pinned,
    agent: false,
    signal: AbortSignal.timeout(timeoutMs),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(options, (res) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_ANSWER_BYTES) res.destroy();
      });
      res.on('error', () => resolve({ statusCode: res.statusCode ?? 0 }));
      res.on('close', () => resolve({ statusCode: res.statusCode ?? 0 }));
    });
    req.on('error', (err) => reject(err.name === 'AbortError' ? new Error(`no answer within ${timeoutMs} ms`) : err));
    req.end(body);
  });
}
