import autocannon, { type Options, type Request } from 'autocannon';
import { adminAuth } from '../../test/support/credentials';

export interface Measured {
  name: string;
  connections: number;
  requests: number;
  errors: number;
  non2xx: number;
  seconds: number;
  /** Requests per second: autocannon's count over the run's wall time. */
  rps: number;
  /** Milliseconds, from autocannon's per-response timings (its own histogram rounds to whole ms). */
  p50: number;
  p99: number;
  p999: number;
}

export interface LoadOptions {
  name: string;
  url: string;
  connections: number;
  /** Run for this long (seconds), or until `amount` requests. */
  duration?: number;
  amount?: number;
  requests?: Request[];
  method?: Options['method'];
  body?: string;
  headers?: Record<string, string>;
}

/** The q-quantile (0..1) of ascending samples. */
export const percentile = (sorted: ArrayLike<number>, q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/**
 * One autocannon run. Latency percentiles come from the response times autocannon itself
 * measures for each response (its 'response' event, fractional ms): its own summary histogram
 * records whole milliseconds, too coarse for sub-millisecond baselines.
 */
export async function load(options: LoadOptions): Promise<Measured> {
  const samples: number[] = [];
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.duration ?? 10 }),
        ...(options.method ? { method: options.method } : {}),
        ...(options.body !== undefined ? { body: options.body } : {}),
        headers: { 'content-type': 'application/json', ...adminAuth(), ...options.headers },
        ...(options.requests ? { requests: options.requests } : {}),
      },
      (err, res) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res)),
    );
    instance.on('response', (_client, status, _bytes, responseTime) => {
      if (status < 400) samples.push(responseTime);
    });
  });
  const seconds = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(samples).sort();
  return {
    name: options.name,
    connections: options.connections,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    seconds: Number(seconds.toFixed(2)),
    rps: Math.round(result.requests.total / seconds),
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    p999: percentile(sorted, 0.999),
  };
}

/** Runs `job(0 … total-1)` with `concurrency` in flight at once. */
export async function inParallel(total: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await job(next++);
    }),
  );
}
