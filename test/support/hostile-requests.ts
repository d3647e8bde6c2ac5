import { request, Agent, type OutgoingHttpHeaders } from 'node:http';

/** mulberry32: a small seeded generator, so a failing run is reproduced by its seed. */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
  };
}
export type Random = ReturnType<typeof seededRandom>;

/** One generated request: what it is (for the failure report) and what goes on the wire. */
export interface HostileRequest {
  label: string;
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body?: string;
  /** A live event stream: its status and headers are read, then it is dropped. */
  stream: boolean;
}

export interface HostileResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Sends a request with node:http (raw header control, repeated headers) and reads its answer. */
export function send(agent: Agent, port: number, r: HostileRequest): Promise<HostileResponse> {
  return new Promise((resolve, reject) => {
    let answered = false;
    // `Connection: close`: a connection of its own, never one of the pool's.
    const own = r.headers.connection === 'close';
    const req = request({ host: '127.0.0.1', port, agent: own ? false : agent, method: r.method, path: r.path, headers: r.headers }, (res) => {
      answered = true;
      const headers = res.headers;
      if (r.stream && res.statusCode === 200) {
        res.destroy();
        return resolve({ status: 200, headers, text: '' });
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers, text }));
      res.on('error', reject);
    });
    // A server that answers and closes before the body is written (413, 431) is still an answer.
    let previous = '';
    req.on('socket', (socket) => {
      previous = (socket as unknown as { lastSent?: string }).lastSent ?? 'fresh';
      (socket as unknown as { lastSent?: string }).lastSent = `${r.method} ${r.path.slice(0, 60)} ${r.label}`;
    });
    req.on('error', (err) => {
      if (!answered) setTimeout(() => !answered && reject(new Error(`${String(err)} after ${previous}`)), 200);
    });
    req.end(r.body);
  });
}

export const newAgent = (sockets: number) => new Agent({ keepAlive: true, maxSockets: sockets });

/** Printable ASCII and Latin-1 bytes: all Node lets a header carry (CR, LF and others it refuses itself). */
export function headerGarbage(rnd: Random, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String.fromCharCode(rnd.chance(0.8) ? 0x20 + rnd.int(0x5f) : 0x80 + rnd.int(0x80));
  return s;
}

const UNICODE = ['é', 'ß', '中文', '😀', '\u202e', '\u0000', '\ufeff', '\ud800', 'Ω≈ç', '\u2028'];

/** A string of some length with unicode, control characters and lone surrogates mixed in. */
export function textGarbage(rnd: Random, length: number): string {
  let s = '';
  while (s.length < length) s += rnd.chance(0.2) ? rnd.pick(UNICODE) : String.fromCharCode(0x20 + rnd.int(0x5f));
  return s;
}

/** Base64url of random bytes: the alphabet of JWT segments and key secrets. */
export function base64urlGarbage(rnd: Random, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[rnd.int(alphabet.length)];
  return s;
}

/** A JSON object's text from entries, so keys JSON.stringify would never emit (`__proto__`, duplicates) can be sent. */
export const objectText = (entries: readonly (readonly [string, unknown])[]): string =>
  `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${typeof v === 'string' && v.startsWith('\u0001raw:') ? v.slice(5) : JSON.stringify(v)}`).join(',')}}`;

/** A value to embed as raw JSON text in `objectText`. */
export const rawJson = (text: string) => `\u0001raw:${text}`;

/** JSON nested `depth` levels deep, in arrays or objects. */
export const deepJson = (depth: number, arrays: boolean): string =>
  arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
