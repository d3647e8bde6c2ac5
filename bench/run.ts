// `pnpm bench`: every figure of the benchmark in one run, each beside its bare-NATS (or
// PostgreSQL) baseline, targets reported as met or not. Writes bench/results/<date>.json and .md.
// Sizes can be lowered for a quick look (BENCH_QUICK=1); the published figures use the defaults.
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { startSystem } from '../test/support/system';
import { met, toMarkdown, type Figure } from './report/figures';
import { measureAuthentication } from './sections/authentication';
import { measureCluster } from './sections/cluster';
import { measureLag } from './sections/consistency-lag';
import { measureEndpoints } from './sections/endpoints';
import { compareEventStores } from './sections/event-store';
import { measureLiveEvents } from './sections/live-events';
import { measureLlmOverhead } from './sections/llm-overhead';
import { measureStoredEvents } from './sections/stored-events';
import { measureTracing } from './sections/tracing';
import { startBaseline } from './support/baseline';

const quick = process.env.BENCH_QUICK === '1';
const size = {
  sequential: quick ? 300 : 2_000,
  durationSeconds: quick ? 3 : 20,
  lagSamples: quick ? 200 : 2_000,
  liveEvents: quick ? 10_000 : 100_000,
  llmWorkflows: quick ? 10 : 100,
  replayEvents: quick ? 20_000 : 200_000,
  coldEvents: quick ? 40_000 : 1_000_000,
  coldSamples: quick ? 300 : 2_000,
  storeStreams: quick ? 500 : 2_000,
  authApiKeyCalls: quick ? 20_000 : 200_000,
  authJwtCalls: quick ? 2_000 : 20_000,
};
// BENCH_SIZES=replayEvents=100000,coldEvents=150000 sets some sizes (for profiling one figure).
for (const pair of process.env.BENCH_SIZES?.split(',') ?? []) {
  const [name, value] = pair.split('=');
  if (!name || !Object.hasOwn(size, name) || !/^[1-9][0-9]*$/.test(value ?? '')) {
    throw new Error(`BENCH_SIZES: ${pair} is not <size>=<a whole number above 0>; sizes are ${Object.keys(size).join(', ')}`);
  }
  size[name as keyof typeof size] = Number(value);
}
const log = (line: string) => process.stderr.write(`${line}\n`);
// The bench drives the system as one identity (the test admin key), far past the production
// limits; every system it starts (startSystem passes process.env on) gets them raised, so the
// figures measure the system, not the limiter's refusals.
const BENCH_LIMITS = { RATE_LIMIT_PER_MINUTE: '100000000', SSE_MAX_CONNECTIONS_PER_IDENTITY: '100000' };
Object.assign(process.env, BENCH_LIMITS);
log(
  `limits raised for the bench: ${Object.entries(BENCH_LIMITS)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ')}`,
);
const SECTIONS = ['endpoints', 'live', 'llm', 'store', 'stored', 'auth', 'cluster', 'tracing'] as const;
type Section = (typeof SECTIONS)[number];
const isSection = (name: string): name is Section => (SECTIONS as readonly string[]).includes(name);
/** BENCH_ONLY=endpoints,live,llm,store,stored,auth,cluster,tracing runs some sections (for profiling a fix). */
const only = process.env.BENCH_ONLY?.split(',')
  .map((name) => name.trim())
  .filter((name) => name !== '');
for (const name of only ?? []) {
  if (!isSection(name)) throw new Error(`BENCH_ONLY: ${name} is not a section; sections are ${SECTIONS.join(', ')}`);
}
const chosen = SECTIONS.filter((section) => !only?.length || only.includes(section));
const runs = (section: Section) => chosen.includes(section);
/** Says which section starts, numbered among those this run measures. */
const starting = (section: Section, title: string) => log(`${chosen.indexOf(section) + 1}/${chosen.length} ${title}`);
const started = Date.now();
const figures: Figure[] = [];

if (runs('endpoints')) {
  starting('endpoints', 'endpoints, memory and read-your-writes lag');
  const system = await startSystem({ LOG_LEVEL: 'warn' });
  try {
    await using baseline = await startBaseline(system.nats.url);
    figures.push(...(await measureEndpoints(system, baseline, { sequential: size.sequential, durationSeconds: size.durationSeconds, concurrency: 32, log })));
    figures.push(...(await measureLag(system, size.lagSamples)));
  } finally {
    await system[Symbol.asyncDispose]();
  }
}

if (runs('live')) {
  starting('live', 'live events and audit');
  figures.push(...(await measureLiveEvents(size.liveEvents, 300)));
}
if (runs('llm')) {
  starting('llm', 'llm-runner overhead');
  figures.push(...(await measureLlmOverhead(size.llmWorkflows)));
}
if (runs('store')) {
  starting('store', 'event store: JetStream adapter vs Emmett on PostgreSQL');
  figures.push(...(await compareEventStores({ streams: size.storeStreams, appendsPerStream: 10, reads: size.storeStreams * 5, concurrency: 32, log })));
}
if (runs('stored')) {
  starting('stored', `replay over ${size.replayEvents} events, cold reads with ${size.coldEvents} stored`);
  figures.push(...(await measureStoredEvents({ replayEvents: size.replayEvents, coldEvents: size.coldEvents, coldSamples: size.coldSamples, log })));
}

if (runs('auth')) {
  starting('auth', "authentication: CPU per request of the gateway's API key and JWT authentication");
  figures.push(...(await measureAuthentication({ apiKeyCalls: size.authApiKeyCalls, jwtCalls: size.authJwtCalls, rounds: 5, earlier: figures, log })));
}

if (runs('cluster')) {
  starting('cluster', 'a three-node cluster, with one and two processes of each service');
  const singleNode = figures.find((f) => f.name === 'complete-phase req/s');
  figures.push(...(await measureCluster({ sequential: size.sequential, durationSeconds: size.durationSeconds, concurrency: 32, singleNode, log })));
}

if (runs('tracing')) {
  starting('tracing', 'tracing off and on');
  figures.push(...(await measureTracing({ sequential: size.sequential, durationSeconds: size.durationSeconds, concurrency: 32, log })));
}

const at = new Date();
const natsVersion = execFileSync('nats-server', ['--version']).toString().trim();
const machine = {
  node: process.version,
  cpus: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  natsServer: natsVersion,
};
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
const header = [
  `## Benchmark, ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC${quick || process.env.BENCH_SIZES ? ' (sizes lowered: not for publishing)' : ''}`,
  '',
  `${machine.cpus} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.natsServer}; the load generator, nats-server and every process share the machine. Run took ${minutes} min.`,
  'Ratios are value / baseline: for latencies, how many times the floor; for rates, the share of it.',
  ...(chosen.length < SECTIONS.length ? [`Sections measured (BENCH_ONLY): ${chosen.join(', ')}; the others were not run.`] : []),
  ...(process.env.BENCH_SIZES ? [`Sizes set by BENCH_SIZES=${process.env.BENCH_SIZES}.`] : []),
  ...(process.env.BENCH_NODE_ARGS ? [`The services ran with BENCH_NODE_ARGS=${process.env.BENCH_NODE_ARGS}.`] : []),
  `The gateway's per-identity limits were raised for the bench (${Object.entries(BENCH_LIMITS)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ')}), so that none of its requests is throttled.`,
].join('\n');
const md = toMarkdown(figures, header);
console.log(`\n${md}`);
const targets = figures.filter((f) => f.target);
log(`targets met: ${targets.filter((f) => met(f)).length} of ${targets.length}`);
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
const stamp = at.toISOString().slice(0, 16).replace(/:/g, '-');
await writeFile(
  new URL(`./results/${stamp}.json`, import.meta.url),
  `${JSON.stringify({ at: at.toISOString(), quick, machine, size, sections: chosen, limits: BENCH_LIMITS, figures: figures.map((f) => ({ ...f, met: met(f) })) }, null, 2)}\n`,
);
await writeFile(new URL(`./results/${stamp}.md`, import.meta.url), `${md}\n`);
