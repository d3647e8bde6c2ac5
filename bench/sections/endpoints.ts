// Our four endpoints beside their floors, driven by one load generator (autocannon): latency at
// concurrency 1 and sustained throughput at concurrency 32. The floors: the bare NATS baseline
// (a request-reply, a publish with its ack), the bare command path, and the NestJS status and
// command floors (each described below). The services' RSS is read idle (IDLE_AFTER_START_MS
// after start, before any load) and at its peak under the concurrency-32 runs; each process's
// CPU is counted over every concurrency-32 run, and CPU per request is reported with what the
// guarantees add to the floors (guarantee-costs.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Request } from 'autocannon';
import { initializeBody } from '../../test/support/http';
import { PAYLOAD } from '../baseline/baseline-subjects';
import { SERVICES, type System } from '../../test/support/system';
import { below, shareOfBaselineAtLeast, timesBaselineAtMost, type Figure } from '../report/figures';
import { load, type Measured } from '../load/measure';
import type { Baseline } from '../support/baseline';
import { startFrameworkFloor } from '../support/framework-floor';
import { measureGuaranteeCosts, sumOf, type GuaranteeCosts } from './guarantee-costs';
import { countCpu } from '../support/process-cpu';
import { rssMb, samplePeakRss } from '../support/process-memory';

export interface EndpointOptions {
  sequential: number;
  durationSeconds: number;
  concurrency: number;
  log: (line: string) => void;
}

/**
 * Idle is measured this long after the services start: V8 gives back the memory start-up used
 * some 20 s after a process goes quiet, so a reading at once measures the start, not idleness.
 */
const IDLE_AFTER_START_MS = 30_000;

const REQUEST_REPLY = 'HTTP + NATS request-reply';
const PUBLISH_ACK = 'HTTP + JetStream publish-ack';
/**
 * The hops a command takes, with nothing else (bench/baseline): a request to a writer process,
 * its publish with the ack, its reply, and an ordered consumer in a reader process whose
 * position the HTTP server waits for. What this topology (HTTP server, writer, NATS, reader) costs with none of our code.
 */
const BARE_COMMAND = 'bare command path';
/**
 * The frameworks' floor of a status read (bench/baseline/framework-*.ts): a request-reply through
 * NestJS on Fastify and a Nest microservice on Nest's NATS transport as our services run it,
 * answering what a status answer carries (a status, the API's headers), with none of the
 * endpoint's own work. Beside the bare request-reply, what the frameworks and that bigger answer
 * cost; beside status, what the gateway's and the projector's own work does.
 */
const NESTJS_STATUS = 'NestJS status floor';
/**
 * The frameworks' floor of a command (the same files): the bare command path's hops, with the
 * HTTP server on NestJS and Fastify and the writer a Nest microservice on Nest's NATS transport,
 * as our gateway and orchestrator are, answering a complete-phase's answer with the API's headers.
 * The reader stays bare (the projector reads the store without Nest). Beside complete-phase, what
 * our own code adds to the frameworks our services are built on.
 */
const NESTJS_COMMAND = 'NestJS command floor';
/**
 * The most workflows a scenario on existing workflows goes round: the newest, fewer than every
 * cache holds at its default size (the orchestrator's 50,000 states, the projector's 64 MB of
 * statuses and of prompt views, some 45,000 each), so that each scenario measures the path as it
 * runs on workflows in use. Going round more than an LRU cache holds misses on every request:
 * runs whose concurrency-32 initialize made over 45,000 workflows measured complete-phase and
 * status reading every workflow from the store (docs/performance.md, ninth round).
 */
const WORKFLOWS_IN_USE = 40_000;
/** The NestJS command floor's request: a complete-phase's body, which its server parses as the gateway does. */
const COMPLETE_PHASE_BODY = JSON.stringify({ workflow_id: PAYLOAD.workflowId, ai_response: 'phase output' });
/** Writes are judged against a publish with its ack, reads against a request-reply. */
const baselineOf: Record<string, string> = {
  initialize: PUBLISH_ACK,
  'complete-phase': PUBLISH_ACK,
  status: REQUEST_REPLY,
  'get-ai-prompt': REQUEST_REPLY,
  [BARE_COMMAND]: PUBLISH_ACK,
  [NESTJS_STATUS]: REQUEST_REPLY,
  [NESTJS_COMMAND]: PUBLISH_ACK,
};

export async function measureEndpoints(system: System, baseline: Baseline, o: EndpointOptions): Promise<Figure[]> {
  const api = system.baseUrl;
  const pids = { ...Object.fromEntries(SERVICES.map((s) => [s, system.pid(s)!])), 'baseline HTTP server': baseline.pid };
  /** The baselines' other processes (their CPU is counted; their memory is not reported). */
  const otherFloors = {
    'baseline NATS responder': baseline.responderPid,
    'baseline writer': baseline.writerPid,
    'baseline reader': baseline.readerPid,
  };
  await sleep(Math.max(0, system.startedAt + IDLE_AFTER_START_MS - Date.now()));
  const idle = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, rssMb(pid)]));
  // Started once idle memory is read: its start-up (TypeScript compiled, Nest's modules loaded)
  // would keep the machine busy while the services hand back what their own start used.
  await using floor = await startFrameworkFloor(system.nats.url);
  const floorProcesses = { 'NestJS HTTP server': floor.pid, 'Nest microservice': floor.microservicePid };

  const ids: string[] = [];
  const initialize: Request[] = [
    {
      method: 'POST',
      path: '/api/ai-workflows/initialize',
      body: JSON.stringify(initializeBody()),
      onResponse: (status, body) => void (status === 200 && ids.push(JSON.parse(body).workflow_id)),
    },
  ];
  /** complete-phase round-robins over the workflows, so no two requests wait on one workflow. */
  const completions = (): Request[] => {
    let i = 0;
    const pool = ids.slice(-WORKFLOWS_IN_USE);
    return [
      {
        method: 'POST',
        path: '/api/ai-workflows/complete-phase',
        setupRequest: (req: Request) => ({ ...req, body: JSON.stringify({ workflow_id: pool[i++ % pool.length], ai_response: 'phase output' }) }),
      },
    ];
  };
  const anyWorkflow = (path: (id: string) => string, method: 'GET' | 'POST'): Request[] => {
    let i = 0;
    const pool = ids.slice(-WORKFLOWS_IN_USE);
    // get-ai-prompt is a POST without a body; an empty JSON object stands in for none.
    return [{ method, ...(method === 'POST' ? { body: '{}' } : {}), setupRequest: (req: Request) => ({ ...req, path: path(pool[i++ % pool.length]!) }) }];
  };
  const scenarios: { name: string; url: string; requests: () => Request[] }[] = [
    { name: REQUEST_REPLY, url: baseline.url, requests: () => [{ method: 'GET', path: '/request' }] },
    { name: PUBLISH_ACK, url: baseline.url, requests: () => [{ method: 'POST', path: '/publish', body: '{}' }] },
    { name: BARE_COMMAND, url: baseline.url, requests: () => [{ method: 'POST', path: '/command', body: '{}' }] },
    { name: NESTJS_STATUS, url: floor.url, requests: () => [{ method: 'GET', path: '/request' }] },
    {
      name: NESTJS_COMMAND,
      url: floor.url,
      requests: () => [{ method: 'POST', path: '/command', body: COMPLETE_PHASE_BODY }],
    },
    { name: 'initialize', url: api, requests: () => initialize },
    { name: 'complete-phase', url: api, requests: completions },
    { name: 'status', url: api, requests: () => anyWorkflow((id) => `/api/ai-workflows/status/${id}`, 'GET') },
    { name: 'get-ai-prompt', url: api, requests: () => anyWorkflow((id) => `/api/ai-workflows/get-ai-prompt/${id}`, 'POST') },
  ];

  const runs: Measured[] = [];
  /** CPU seconds per process during each concurrency-32 run, by scenario. */
  const cpu = new Map<string, Record<string, number>>();
  const cpuPids = { ...pids, ...otherFloors, ...floorProcesses, 'nats-server': system.nats.pid!, 'load generator': process.pid };
  const run = async (r: Promise<Measured>) => {
    const m = await r;
    runs.push(m);
    o.log(
      `  ${m.name} c=${m.connections}: ${m.requests} requests, ${m.rps}/s, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms${m.non2xx || m.errors ? `, ${m.non2xx} non-2xx, ${m.errors} errors` : ''}`,
    );
  };

  o.log('warm-up');
  await load({ name: 'warm', url: api, connections: 8, amount: 3_000, requests: initialize });
  for (const url of [baseline.url, floor.url])
    await load({ name: 'warm', url, connections: 8, amount: 3_000, requests: [{ method: 'GET', path: '/request' }] });
  await load({ name: 'warm', url: floor.url, connections: 8, amount: 3_000, requests: [{ method: 'POST', path: '/command', body: COMPLETE_PHASE_BODY }] });
  o.log(`concurrency 1, ${o.sequential} requests each`);
  for (const s of scenarios) await run(load({ name: s.name, url: s.url, connections: 1, amount: o.sequential, requests: s.requests() }));
  o.log(`concurrency ${o.concurrency}, ${o.durationSeconds} s each`);
  const peaks = samplePeakRss(pids);
  for (const s of scenarios) {
    const counting = countCpu(cpuPids);
    await run(load({ name: s.name, url: s.url, connections: o.concurrency, duration: o.durationSeconds, requests: s.requests() }));
    cpu.set(s.name, counting.stop());
  }
  const underLoad = peaks.stop();
  // After the load has drained (the projector's last status writes), so that nats-server's CPU is the puts'.
  await sleep(3_000);
  const guarantees = await measureGuaranteeCosts(system);

  const figures: Figure[] = [];
  const find = (name: string, c: number) => runs.find((r) => r.name === name && r.connections === c)!;
  for (const c of [1, o.concurrency]) {
    const section = c === 1 ? 'Latency at concurrency 1 (autocannon)' : `Throughput at concurrency ${c}, ${o.durationSeconds} s (autocannon)`;
    for (const r of runs.filter((x) => x.connections === c)) {
      const base = baselineOf[r.name] ? find(baselineOf[r.name]!, c) : undefined;
      const vs = (key: 'p50' | 'p99' | 'p999' | 'rps') => (base ? { baseline: { name: base.name, value: base[key] } } : {});
      const target = (key: string) => {
        if (c === 1 && key === 'p99' && r.name === 'complete-phase') return { target: below(10) };
        if (c === 1 && key === 'p99' && r.name === 'status') return { target: below(5) };
        if (c !== 1 && key === 'rps' && r.name === 'complete-phase') return { target: shareOfBaselineAtLeast(0.45) };
        if (c !== 1 && key === 'rps' && r.name === 'status') return { target: shareOfBaselineAtLeast(0.65) };
        return {};
      };
      const failures = r.non2xx + r.errors ? { note: `${r.non2xx} non-2xx, ${r.errors} errors` } : {};
      if (c !== 1) figures.push({ section, name: `${r.name} req/s`, value: r.rps, unit: 'req/s', ...vs('rps'), ...target('rps'), ...failures });
      figures.push({ section, name: `${r.name} p50`, value: r.p50, unit: 'ms', ...vs('p50') });
      figures.push({ section, name: `${r.name} p99`, value: r.p99, unit: 'ms', ...vs('p99'), ...target('p99') });
      if (c === 1) figures.push({ section, name: `${r.name} p99.9`, value: r.p999, unit: 'ms', ...vs('p999') });
    }
  }
  figures.push(
    ...cpuPerRequest(
      cpu,
      runs.filter((r) => r.connections === o.concurrency),
      o.concurrency,
      guarantees,
    ),
  );
  const memory = 'Memory (RSS, from /proc)';
  for (const s of SERVICES) {
    figures.push({
      section: memory,
      name: `${s} idle`,
      value: idle[s]!,
      unit: 'MB',
      baseline: { name: 'bare HTTP + NATS server idle', value: idle['baseline HTTP server']! },
      target: below(80),
    });
  }
  for (const s of SERVICES) {
    figures.push({
      section: memory,
      name: `${s} peak under load`,
      value: underLoad[s]!,
      unit: 'MB',
      baseline: { name: 'bare HTTP + NATS server under load', value: underLoad['baseline HTTP server']! },
    });
  }
  return figures;
}

/**
 * The processes whose CPU each scenario is: our services, or each baseline's own; every one shares
 * nats-server and the load generator. During either command path's run, the other one's HTTP
 * server also hears the reader's broadcasts (a few per turn of the reader's loop), uncounted.
 */
const SHARED = ['nats-server', 'load generator'];
const OURS = [...SERVICES, ...SHARED];
/** The bare baseline's server and responder (idle during a publish-ack, counted for it as they always were). */
const BARE = ['baseline HTTP server', 'baseline NATS responder', ...SHARED];
const PROCESSES_OF: Record<string, readonly string[]> = {
  initialize: OURS,
  'complete-phase': OURS,
  status: OURS,
  'get-ai-prompt': OURS,
  [REQUEST_REPLY]: BARE,
  [PUBLISH_ACK]: BARE,
  [BARE_COMMAND]: ['baseline HTTP server', 'baseline writer', 'baseline reader', ...SHARED],
  [NESTJS_STATUS]: ['NestJS HTTP server', 'Nest microservice', ...SHARED],
  [NESTJS_COMMAND]: ['NestJS HTTP server', 'Nest microservice', 'baseline reader', ...SHARED],
};

/**
 * Where each request's CPU goes, process by process (the kernel's accounting over each
 * concurrency-32 run, divided by the requests served): the whole machine's cost of one request
 * beside the baseline's, which bounds the throughput two cores can give.
 */
function cpuPerRequest(cpu: Map<string, Record<string, number>>, runs: Measured[], concurrency: number, guarantees: GuaranteeCosts): Figure[] {
  const section = `CPU per request at concurrency ${concurrency} (from /proc)`;
  const perRequest = (name: string, processes: readonly string[]) => {
    const used = cpu.get(name)!;
    const requests = runs.find((r) => r.name === name)!.requests;
    return Object.fromEntries(processes.map((p) => [p, (used[p]! / requests) * 1e6]));
  };
  const sum = (byProcess: Record<string, number>) => Object.values(byProcess).reduce((a, b) => a + b, 0);
  const processesOf = (name: string) => {
    const processes = PROCESSES_OF[name];
    if (!processes) throw new Error(`no processes are listed for ${name}`);
    return processes;
  };
  const allOf = (name: string) => sum(perRequest(name, processesOf(name)));
  const figures: Figure[] = [];
  for (const name of Object.keys(baselineOf)) {
    const processes = processesOf(name);
    const ours = perRequest(name, processes);
    const floor = baselineOf[name]!;
    figures.push({
      section,
      name: `${name}: all processes`,
      value: sum(ours),
      unit: 'µs',
      baseline: { name: floor, value: allOf(floor) },
      ...(name === 'complete-phase' ? { target: timesBaselineAtMost(2.5) } : {}),
    });
    for (const p of processes) figures.push({ section, name: `${name}: ${p}`, value: ours[p]!, unit: 'µs' });
  }
  // An endpoint beside its floors in the same run: complete-phase beside the same hops bare (what
  // our code adds to what the consistency rules cost) and beside the NestJS command floor (what it
  // adds to the frameworks too); status beside the NestJS status floor (what our code adds to
  // what NestJS, Fastify, Nest's NATS transport and the answer cost).
  const rps = (name: string) => runs.find((r) => r.name === name)!.rps;
  const beside = (name: string, floor: string) =>
    figures.push(
      { section, name: `${name} req/s beside the ${floor}`, value: rps(name), unit: 'req/s', baseline: { name: floor, value: rps(floor) } },
      { section, name: `${name}: all processes, beside the ${floor}`, value: allOf(name), unit: 'µs', baseline: { name: floor, value: allOf(floor) } },
    );
  beside('complete-phase', BARE_COMMAND);
  beside('complete-phase', NESTJS_COMMAND);
  beside('status', NESTJS_STATUS);
  // The guarantees' work added to the bare hops: the command path's floor with them, bare and on
  // the NestJS command floor (the least a command can cost on this stack); and a status's, on the
  // bare request-reply and on the NestJS status floor (the least a status can cost on this stack).
  const withGuarantees = (what: string, costs: Record<string, number>, floors: string[]) => {
    for (const [name, value] of Object.entries(costs)) figures.push({ section, name: `guarantees per ${what}: ${name}`, value, unit: 'µs' });
    for (const floor of floors) {
      figures.push({
        section,
        name: `${floor} with the guarantees of a ${what}`,
        value: allOf(floor) + sumOf(costs),
        unit: 'µs',
        baseline: { name: baselineOf[what]!, value: allOf(baselineOf[what]!) },
      });
    }
  };
  withGuarantees('complete-phase', guarantees.command, [BARE_COMMAND, NESTJS_COMMAND]);
  withGuarantees('status', guarantees.status, [REQUEST_REPLY, NESTJS_STATUS]);
  return figures;
}
