// A store of realistic size: replay (projector rebuild and the global event stream) over the
// first 200,000 events, then cold reads with a million events stored: status and a command for
// workflows in no cache, the services having been restarted. Workflows are clones of one driven
// through the API (initialized, three phases completed), their commits interleaved.
import { connect } from '@nats-io/transport-node';
import { eventStreamName, eventSubject, workflowStreamId } from '@topdog/contracts';
import { JetStreamEventStore } from '@topdog/event-store';
import type { Request } from 'autocannon';
import { freePort } from '@topdog/testing';
import { http, initializeBody } from '../../test/support/http';
import { parsePrometheus, valueOf } from '../../test/support/prometheus';
import { readSse } from '../../test/support/sse';
import { SERVICES, startSystem, type System } from '../../test/support/system';
import { load } from '../load/measure';
import { below, shareOfBaselineAtLeast, timesBaselineAtMost, type Figure } from '../report/figures';
import { startBaseline } from '../support/baseline';
import { samplePeakRss } from '../support/process-memory';
import { SEED_BATCH, seedWorkflows, templateOf } from '../support/seed';
import { measureReplayGuarantees, replayCeilings } from './replay-ceilings';
import { eventStreamFloor, orderedConsumerRate, rebuildFloor } from './replay-floors';

/** Status, complete-phase, the floor and the warm-up: each reads workflows of its own seed batches. */
const LANES = 4;

export interface StoredEventsOptions {
  replayEvents: number;
  coldEvents: number;
  coldSamples: number;
  log: (line: string) => void;
}

const REPLAY = 'Replay';
const REBUILD_FLOOR = "ordered consumer doing a rebuild's work (measured)";
const EVENTS_FLOOR = 'ordered consumer encoding audit records (measured)';
const COLD = 'Cold reads (services restarted, workflows in no cache)';

async function progress(system: System) {
  const res = await http(system.baseUrl, 'GET', '/api/admin/read-models');
  return res.body as { position: number; events_applied: number; caught_up: boolean };
}

/** Waits until the projector has applied everything stored. */
async function projectorAt(system: System, head: number): Promise<void> {
  for (;;) {
    const p = await progress(system);
    if (p.caught_up && p.position >= head) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function measureStoredEvents(o: StoredEventsOptions): Promise<Figure[]> {
  const system = await startSystem({ LOG_LEVEL: 'warn' });
  const nc = await connect({ servers: system.nats.url, noAsyncTraces: true });
  const figures: Figure[] = [];
  try {
    const store = await JetStreamEventStore.create(nc, { prefix: system.prefix });
    const api = (method: string, path: string, body?: unknown) => http(system.baseUrl, method, path, body);
    const id = (await api('POST', '/api/ai-workflows/initialize', initializeBody())).body.workflow_id as string;
    for (let i = 0; i < 3; i++)
      await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: `phase ${i}: ${'analysis '.repeat(50)}` });
    // A stopping orchestrator writes the snapshot of every workflow changed since its last, as it
    // does before the cold reads below: the template's is then at its last revision.
    await system.kill('orchestrator', 'SIGTERM');
    await system.start('orchestrator');
    await system.waitReady();
    const template = await templateOf(store, id);

    let stored = template.events;
    const seed = async (events: number, batch = SEED_BATCH) => {
      const t0 = performance.now();
      const workflows = Math.ceil(events / template.events);
      const ids = await seedWorkflows(store, template, { workflows, batch });
      stored += workflows * template.events;
      o.log(`  seeded ${workflows * template.events} events (${workflows} workflows) in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${stored} stored`);
      return ids;
    };

    // Replay over the first 200,000 events.
    await seed(o.replayEvents - stored);
    await projectorAt(system, await store.headPosition());
    const head = await store.headPosition();
    const peak = samplePeakRss({ projector: system.pid('projector')! });
    let t0 = performance.now();
    await api('POST', '/api/admin/read-models/rebuild');
    await projectorAt(system, head);
    const rebuildSeconds = (performance.now() - t0) / 1000;
    const projectorPeak = peak.stop().projector!;
    const rebuilt = (await progress(system)).events_applied;

    let received = 0;
    const sse = new AbortController();
    t0 = performance.now();
    await readSse(`${system.baseUrl}/api/events?after=0`, { signal: sse.signal, onMessage: () => void (++received >= stored && sse.abort()) });
    const sseSeconds = (performance.now() - t0) / 1000;
    // A stream that ended early (closed for overflow, say) would give a rate of what it sent.
    if (received < stored) throw new Error(`GET /api/events ended after ${received} of ${stored} events`);

    // The floor: an ordered consumer over the same stream, each commit parsed, events counted.
    const events = eventStreamName(system.prefix);
    const floor = { name: 'ordered consumer, JSON-parsed commits', value: await orderedConsumerRate(nc, events, stored) };
    const guarantees = await measureReplayGuarantees(system, store, template.workflowId);
    const floors = {
      rebuild: await rebuildFloor(nc, events, stored),
      events: await eventStreamFloor(nc, events, stored),
    };
    figures.push(
      {
        section: REPLAY,
        name: `projector rebuild, ${rebuilt.toLocaleString('en-US')} events`,
        value: rebuilt / rebuildSeconds,
        unit: 'events/s',
        baseline: floor,
        target: shareOfBaselineAtLeast(0.7),
      },
      {
        section: REPLAY,
        name: `global event stream (GET /api/events, SSE), ${received.toLocaleString('en-US')} events`,
        value: received / sseSeconds,
        unit: 'events/s',
        baseline: floor,
        target: shareOfBaselineAtLeast(0.7),
      },
      { section: 'Memory (RSS, from /proc)', name: 'projector peak during rebuild', value: projectorPeak, unit: 'MB', target: below(400) },
      ...replayCeilings(REPLAY, floor, guarantees),
      // The floors measured (replay-floors.ts): the estimates above add only the guarantees' work to
      // the consumer; these do it (and the rebuild's fold, the records' encoding). Then each replay beside its own.
      { section: REPLAY, name: REBUILD_FLOOR, value: floors.rebuild, unit: 'events/s', baseline: floor },
      { section: REPLAY, name: EVENTS_FLOOR, value: floors.events, unit: 'events/s', baseline: floor },
      {
        section: REPLAY,
        name: 'projector rebuild beside its floor',
        value: rebuilt / rebuildSeconds,
        unit: 'events/s',
        baseline: { name: REBUILD_FLOOR, value: floors.rebuild },
      },
      {
        section: REPLAY,
        name: 'GET /api/events beside its floor',
        value: received / sseSeconds,
        unit: 'events/s',
        baseline: { name: EVENTS_FLOOR, value: floors.events },
      },
    );

    // Cold reads with a million events stored.
    // Batches of their own for each cold measurement and the warm-up (see below): at least four.
    const coldBatch = Math.min(SEED_BATCH, Math.ceil((o.coldEvents - stored) / template.events / LANES));
    const coldIds = await seed(o.coldEvents - stored, coldBatch);
    await projectorAt(system, await store.headPosition());
    o.log('  restarting the services');
    // The orchestrator serves its metrics, to count the cold commands that read a snapshot.
    const orchestratorMetrics = `http://127.0.0.1:${await freePort()}/metrics`;
    for (const s of SERVICES) await system.kill(s, 'SIGTERM');
    for (const s of SERVICES) await system.start(s, s === 'orchestrator' ? { METRICS_PORT: new URL(orchestratorMetrics).port } : {});
    await system.waitReady(120_000);
    const snapshotsUsed = async () =>
      valueOf(parsePrometheus(await (await fetch(orchestratorMetrics)).text()), 'topdog_state_snapshot_reads_total', { outcome: 'used' });
    await using baseline = await startBaseline(system.nats.url);
    // The seed lays workflows down in batches whose commits lie together. Status, command, floor
    // and the warm-up each take batches of their own, spread over the whole stream, so that none
    // reads blocks another has just had nats-server load into its cache (a cold block's load is
    // what a cold read's tail is made of).
    const lane = (n: number) => coldIds.filter((_, i) => Math.floor(i / coldBatch) % LANES === n);
    const pick = (n: number) => {
      const pool = lane(n);
      if (pool.length < o.coldSamples) throw new Error(`cold reads: ${pool.length} workflows in lane ${n}, fewer than ${o.coldSamples} samples`);
      return Array.from({ length: o.coldSamples }, (_, i) => pool[Math.floor((i * pool.length) / o.coldSamples)]!);
    };
    const [statusIds, commandIds, floorIds] = [pick(0), pick(1), pick(2)];
    // The restarted processes' code is warmed on other workflows (the JIT is not what is measured).
    const others = lane(3).slice(0, 500);
    if (others.length === 0) throw new Error('cold reads: no workflows left to warm up on; raise coldEvents');
    const each = (ids: string[], make: (id: string) => Partial<Request>): Request[] => {
      let i = 0;
      return [{ setupRequest: (req: Request) => ({ ...req, ...make(ids[i++]!) }) }];
    };
    const cold = async (name: string, url: string, requests: Request[]) => {
      const m = await load({ name, url, connections: 1, amount: o.coldSamples, requests });
      o.log(`  ${name}: p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms${m.non2xx ? `, ${m.non2xx} non-2xx` : ''}`);
      return m;
    };
    const stream = eventStreamName(system.prefix);
    await load({
      name: 'warm',
      url: system.baseUrl,
      connections: 4,
      amount: others.length,
      requests: each(others, (id) => ({ method: 'GET', path: `/api/ai-workflows/status/${id}` })),
    });
    await load({
      name: 'warm',
      url: system.baseUrl,
      connections: 4,
      amount: others.length,
      requests: each(others, (id) => ({
        method: 'POST',
        path: '/api/ai-workflows/complete-phase',
        body: JSON.stringify({ workflow_id: id, ai_response: 'warm' }),
      })),
    });
    const bareCold = await cold(
      'direct get',
      baseline.url,
      each(floorIds, (id) => ({ method: 'GET', path: `/last/${stream}/${eventSubject(system.prefix, workflowStreamId(id))}` })),
    );
    if (bareCold.non2xx || bareCold.errors) {
      throw new Error(`the floor's direct gets: ${bareCold.non2xx} answered other than 200 (a miss is no floor), ${bareCold.errors} failed`);
    }
    const status = await cold(
      'status',
      system.baseUrl,
      each(statusIds, (id) => ({ method: 'GET', path: `/api/ai-workflows/status/${id}` })),
    );
    const usedBefore = await snapshotsUsed();
    const command = await cold(
      'complete-phase',
      system.baseUrl,
      each(commandIds, (id) => ({ method: 'POST', path: '/api/ai-workflows/complete-phase', body: JSON.stringify({ workflow_id: id, ai_response: 'cold' }) })),
    );
    // Every seeded workflow has its snapshot: a command that folded its events instead is said beside the figure.
    const used = (await snapshotsUsed()) - usedBefore;
    o.log(`  complete-phase: ${used} of ${o.coldSamples} commands read their workflow's snapshot`);
    const snapshotNote = `${used.toLocaleString('en-US')} of ${o.coldSamples.toLocaleString('en-US')} commands read their workflow's snapshot`;
    const floorOf = (key: 'p50' | 'p99') => ({ baseline: { name: 'HTTP + one JetStream direct get (last by subject)', value: bareCold[key] } });
    const note = `${stored.toLocaleString('en-US')} events stored, ${o.coldSamples} distinct workflows, concurrency 1`;
    figures.push(
      { section: COLD, name: 'status p50', value: status.p50, unit: 'ms', ...floorOf('p50'), note },
      {
        section: COLD,
        name: 'status p99',
        value: status.p99,
        unit: 'ms',
        ...floorOf('p99'),
        target: timesBaselineAtMost(2),
        ...(status.non2xx ? { note: `${status.non2xx} non-2xx` } : {}),
      },
      { section: COLD, name: 'complete-phase p50', value: command.p50, unit: 'ms', ...floorOf('p50') },
      {
        section: COLD,
        name: 'complete-phase p99',
        value: command.p99,
        unit: 'ms',
        ...floorOf('p99'),
        target: timesBaselineAtMost(3),
        note: command.non2xx ? `${snapshotNote}; ${command.non2xx} non-2xx` : snapshotNote,
      },
    );
    return figures;
  } finally {
    await nc.close();
    await system[Symbol.asyncDispose]();
  }
}
