// Our endpoints beside the bare NATS baseline, driven by one load generator (autocannon):
// latency at concurrency 1 and sustained throughput at concurrency 32, in one run.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '@topdog/testing';
import type { Request } from 'autocannon';
import { initializeBody } from '../test/support/http';
import { startSystem } from '../test/support/system';
import { load, type Measured } from './load/measure';

const root = fileURLToPath(new URL('..', import.meta.url));
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 2_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 20);
const CONCURRENCY = 32;

function startProcess(script: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

const system = await startSystem({ LOG_LEVEL: 'warn' });
const port = await freePort();
const responder = await startProcess('bench/baseline/baseline-responder.ts', { NATS_URL: system.nats.url });
const baseline = await startProcess('bench/baseline/baseline-server.ts', { NATS_URL: system.nats.url, PORT: String(port) });
const base = `http://127.0.0.1:${port}`;
const api = system.baseUrl;
const results: Measured[] = [];
const run = async (o: Parameters<typeof load>[0]) => {
  const r = await load(o);
  results.push(r);
  process.stderr.write(`  ${r.name} c=${r.connections}: ${r.requests} requests, ${r.rps}/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms${r.non2xx || r.errors ? `, ${r.non2xx} non-2xx, ${r.errors} errors` : ''}\n`);
  return r;
};

try {
  // Workflows to act on: created through the API, ids kept from the responses.
  const ids: string[] = [];
  const initialize: Request[] = [
    { method: 'POST', path: '/api/ai-workflows/initialize', body: JSON.stringify(initializeBody()), onResponse: (status, body) => void (status === 200 && ids.push(JSON.parse(body).workflow_id)) },
  ];
  /** complete-phase bodies round-robin over the workflows, so no two requests wait on one workflow. */
  const completions = () => {
    let i = 0;
    const pool = ids.slice();
    return [{ method: 'POST' as const, path: '/api/ai-workflows/complete-phase', setupRequest: (req: Request) => ({ ...req, body: JSON.stringify({ workflow_id: pool[i++ % pool.length], ai_response: 'phase output' }) }) }];
  };
  const anyWorkflow = (path: (id: string) => string, method: 'GET' | 'POST') => {
    let i = 0;
    // get-ai-prompt is a POST without a body; an empty JSON object stands in for none.
    return [{ method, ...(method === 'POST' ? { body: '{}' } : {}), setupRequest: (req: Request) => ({ ...req, path: path(ids[i++ % ids.length]!) }) }];
  };

  process.stderr.write('warm-up\n');
  await load({ name: 'warm', url: api, connections: 8, amount: 3_000, requests: initialize });
  await load({ name: 'warm', url: base, connections: 8, amount: 3_000, requests: [{ method: 'GET', path: '/request' }] });

  process.stderr.write(`concurrency 1, ${SEQUENTIAL} requests each\n`);
  await run({ name: 'baseline: HTTP + NATS request-reply', url: base, connections: 1, amount: SEQUENTIAL, requests: [{ method: 'GET', path: '/request' }] });
  await run({ name: 'baseline: HTTP + JetStream publish-ack', url: base, connections: 1, amount: SEQUENTIAL, requests: [{ method: 'POST', path: '/publish', body: '{}' }] });
  await run({ name: 'initialize', url: api, connections: 1, amount: SEQUENTIAL, requests: initialize });
  await run({ name: 'complete-phase', url: api, connections: 1, amount: SEQUENTIAL, requests: completions() });
  await run({ name: 'status', url: api, connections: 1, amount: SEQUENTIAL, requests: anyWorkflow((id) => `/api/ai-workflows/status/${id}`, 'GET') });
  await run({ name: 'get-ai-prompt', url: api, connections: 1, amount: SEQUENTIAL, requests: anyWorkflow((id) => `/api/ai-workflows/get-ai-prompt/${id}`, 'POST') });

  process.stderr.write(`concurrency ${CONCURRENCY}, ${DURATION} s each\n`);
  await run({ name: 'baseline: HTTP + NATS request-reply', url: base, connections: CONCURRENCY, duration: DURATION, requests: [{ method: 'GET', path: '/request' }] });
  await run({ name: 'baseline: HTTP + JetStream publish-ack', url: base, connections: CONCURRENCY, duration: DURATION, requests: [{ method: 'POST', path: '/publish', body: '{}' }] });
  await run({ name: 'initialize', url: api, connections: CONCURRENCY, duration: DURATION, requests: initialize });
  await run({ name: 'complete-phase', url: api, connections: CONCURRENCY, duration: DURATION, requests: completions() });
  await run({ name: 'status', url: api, connections: CONCURRENCY, duration: DURATION, requests: anyWorkflow((id) => `/api/ai-workflows/status/${id}`, 'GET') });
  await run({ name: 'get-ai-prompt', url: api, connections: CONCURRENCY, duration: DURATION, requests: anyWorkflow((id) => `/api/ai-workflows/get-ai-prompt/${id}`, 'POST') });

  const baselineFor = (r: Measured) =>
    results.find((b) => b.connections === r.connections && b.name === (r.name === 'initialize' || r.name === 'complete-phase' ? 'baseline: HTTP + JetStream publish-ack' : 'baseline: HTTP + NATS request-reply'));
  const rows = results.map((r) => {
    const b = r.name.startsWith('baseline') ? undefined : baselineFor(r);
    return { ...r, vsBaseline: b ? { p50: Number((r.p50 / b.p50).toFixed(2)), p99: Number((r.p99 / b.p99).toFixed(2)), rps: Number((r.rps / b.rps).toFixed(2)) } : null };
  });
  const md = [
    `| endpoint | c | requests | req/s | p50 ms | p99 ms | p99.9 ms | vs baseline (p50, p99, req/s) |`,
    `|---|---|---|---|---|---|---|---|`,
    ...rows.map((r) => `| ${r.name} | ${r.connections} | ${r.requests} | ${r.rps} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.p999.toFixed(2)} | ${r.vsBaseline ? `${r.vsBaseline.p50}× / ${r.vsBaseline.p99}× / ${r.vsBaseline.rps}×` : '(baseline)'} |`),
  ].join('\n');
  console.log(`\nEndpoints and baseline (autocannon), ${new Date().toISOString()}\n${md}`);
  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, '-');
  await writeFile(new URL(`./results/${stamp}-endpoints.json`, import.meta.url), JSON.stringify({ at: new Date().toISOString(), rows }, null, 2));
  await writeFile(new URL(`./results/${stamp}-endpoints.md`, import.meta.url), `${md}\n`);
} finally {
  baseline.kill();
  responder.kill();
  await system[Symbol.asyncDispose]();
}
