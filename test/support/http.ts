import { request } from 'node:http';
import { TEST_ADMIN_KEY } from './credentials';

/** A small JSON client for the REST API under test. */
export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function http<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string | undefined> = {},
): Promise<HttpResult<T>> {
  // The test admin key unless the test sends its own Authorization (undefined: none at all).
  const own = Object.keys(headers).find((name) => name.toLowerCase() === 'authorization');
  const sent = own ? headers : { authorization: `Bearer ${TEST_ADMIN_KEY}`, ...headers };
  const init: RequestInit = { method, headers: Object.fromEntries(Object.entries(sent).filter((e): e is [string, string] => e[1] !== undefined)) };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${baseUrl}${path}`, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export const initializeBody = (extra: Record<string, unknown> = {}) => ({
  project_id: 'proj123',
  build_id: 'build456',
  user_id: 'user789',
  requirements: { description: 'Build X feature' },
  model: 'gpt-4',
  ...extra,
});

/**
 * POSTs a body with node:http and resolves with the response even if the server answered
 * (413) and closed before the body was fully written: fetch reports that race as EPIPE,
 * which hides the status the server sent.
 */
export function postLargeBody(url: string, body: string): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${TEST_ADMIN_KEY}` };
    const req = request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode ?? 0, headers: new Headers(res.headers as Record<string, string>), body: parsed });
      });
    });
    let answered = false;
    req.on('response', () => (answered = true));
    req.on('error', (err) => {
      if (!answered) setTimeout(() => !answered && reject(err), 200);
    });
    req.end(body);
  });
}
