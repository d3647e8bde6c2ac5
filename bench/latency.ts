// `pnpm bench`: starts a private nats-server and the four services as separate processes and
// measures the latency of sequential requests (concurrency 1) through the whole stack.
// The full benchmark (baselines, throughput, cold reads, replay, memory) is issue 5's.
import { performance } from 'node:perf_hooks';
import { http, initializeBody } from '../test/support/http';
import { startSystem } from '../test/support/system';

const N = Number(process.env.BENCH_REQUESTS ?? 1000);

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), p999: at(0.999), max: sorted.at(-1)! };
}

async function timed(call: () => Promise<{ status: number }>): Promise<number> {
  const t0 = performance.now();
  const r = await call();
  const ms = performance.now() - t0;
  if (r.status !== 200) throw new Error(`unexpected status ${r.status}`);
  return ms;
}

const system = await startSystem({ LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' });
try {
  const api = (method: string, path: string, body?: unknown) => http(system.baseUrl, method, path, body);
  const newWorkflow = async () => (await api('POST', '/api/ai-workflows/initialize', initializeBody())).body.workflow_id as string;

  // Warm-up: JIT, connections, caches.
  for (let i = 0; i < 30; i++) {
    const id = await newWorkflow();
    for (let p = 0; p < 6; p++) await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'warm' });
  }

  const complete: number[] = [];
  const ids: string[] = [];
  while (complete.length < N) {
    const id = await newWorkflow();
    ids.push(id);
    for (let p = 0; p < 6 && complete.length < N; p++) {
      complete.push(await timed(() => api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: `phase ${p} output` })));
    }
  }
  const status: number[] = [];
  for (let i = 0; i < N; i++) status.push(await timed(() => api('GET', `/api/ai-workflows/status/${ids[i % ids.length]}`)));
  const init: number[] = [];
  for (let i = 0; i < Math.min(N, 300); i++) init.push(await timed(() => api('POST', '/api/ai-workflows/initialize', initializeBody())));

  const rows = { 'complete-phase': summary(complete), status: summary(status), initialize: summary(init) };
  console.log(`\nSequential requests (concurrency 1), milliseconds, ${new Date().toISOString()}`);
  console.log('endpoint         n      p50     p99   p99.9     max');
  for (const [name, s] of Object.entries(rows)) {
    console.log(`${name.padEnd(15)} ${String(s.n).padStart(4)} ${s.p50.toFixed(2).padStart(8)} ${s.p99.toFixed(2).padStart(7)} ${s.p999.toFixed(2).padStart(7)} ${s.max.toFixed(2).padStart(7)}`);
  }
} finally {
  await system[Symbol.asyncDispose]();
}
