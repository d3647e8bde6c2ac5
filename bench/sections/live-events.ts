// Live events and audit: delivery latency from append to an SSE client, and NDJSON throughput
// of the global event stream and of the audit trail over 100,000 events.
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { eventStreamName, workflowStreamId } from '@topdog/contracts';
import { JetStreamEventStore } from '@topdog/event-store';
import { newTestEvent } from '@topdog/event-store/test-event';
import { http, initializeBody } from '../../test/support/http';
import { adminAuth } from '../../test/support/credentials';
import { readSse } from '../../test/support/sse';
import { startSystem } from '../../test/support/system';
import { inParallel, percentile } from '../load/measure';
import type { Figure } from '../report/figures';

const SECTION = 'Live events and audit';
const nowMs = () => performance.timeOrigin + performance.now();

/** An RFC 3339 time with nanoseconds (JetStream's stored time) in milliseconds since the epoch. */
function storedAtMs(timestamp: string): number {
  const [whole, fraction = '0'] = timestamp.replace('Z', '').split('.');
  return Date.parse(`${whole}Z`) + Number(`0.${fraction}`) * 1000;
}

export async function measureLiveEvents(EVENTS: number, LATENCY_SAMPLES: number): Promise<Figure[]> {
  const system = await startSystem({ LOG_LEVEL: 'warn' });
  const nc = await connect({ servers: system.nats.url, noAsyncTraces: true });
  try {
    const api = (method: string, path: string, body?: unknown) => http(system.baseUrl, method, path, body);
    const store = await JetStreamEventStore.create(nc, { prefix: system.prefix });
    const jsm = await jetstreamManager(nc);
    const stream = eventStreamName(system.prefix);

    // 1. Append → SSE client: the JetStream stored time against the client's receipt, one clock.
    const latencies: number[] = [];
    const received = new Map<string, number>();
    /** A workflow followed over SSE; `stop` ends the stream. */
    const follow = async () => {
      const id = (await api('POST', '/api/ai-workflows/initialize', initializeBody())).body.workflow_id as string;
      const abort = new AbortController();
      const reading = readSse(`${system.baseUrl}/api/ai-workflows/${id}/events`, { signal: abort.signal, onMessage: (m) => received.set(m.id!, nowMs()) });
      await new Promise((r) => setTimeout(r, 50));
      return { id, stop: async () => (abort.abort(), await reading) };
    };
    while (latencies.length < LATENCY_SAMPLES) {
      const followed = await follow();
      for (let phase = 1; phase <= 6 && latencies.length < LATENCY_SAMPLES; phase++) {
        const done = await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: followed.id, ai_response: 'x' });
        if (done.status !== 200) throw new Error(`complete-phase ${done.status}`);
        const [event] = await store.readStream(workflowStreamId(followed.id), { fromRevision: phase, maxCount: 1 });
        const position = String(event!.position);
        while (!received.has(position)) await new Promise((r) => setTimeout(r, 1));
        const msg = await jsm.direct.getMessage(stream, { seq: Math.floor(event!.position / 1000) });
        latencies.push(received.get(position)! - storedAtMs(msg!.timestamp));
      }
      await followed.stop();
    }

    // 2. 100,000 events stored: 10,000 workflows of 10 events (appended directly, 32 at a time).
    const head = await store.headPosition();
    const event = () => newTestEvent('PhaseOutputRejected', { workflowId: randomUUID(), note: 'bench' });
    await inParallel(EVENTS / 10, 32, async () => {
      await store.appendToStream(workflowStreamId(randomUUID()), Array.from({ length: 10 }, event), { expectedRevision: 'no_stream' });
    });

    // 3. The global stream over SSE from before them to the end.
    let count = 0;
    const all = new AbortController();
    const t1 = performance.now();
    const global = readSse(`${system.baseUrl}/api/events?after=${head}`, { signal: all.signal, onMessage: () => void (++count >= EVENTS && all.abort()) });
    await global;
    const sseSeconds = (performance.now() - t1) / 1000;

    // 4. The audit trail as NDJSON: one workflow of 100,000 events (1,000 commits of 100).
    const big = randomUUID();
    for (let c = 0; c < EVENTS / 100; c++) {
      await store.appendToStream(workflowStreamId(big), Array.from({ length: 100 }, event), { expectedRevision: c === 0 ? 'no_stream' : c * 100 - 1 });
    }
    const t2 = performance.now();
    const res = await fetch(`${system.baseUrl}/api/ai-workflows/${big}/audit`, { headers: { accept: 'application/x-ndjson', ...adminAuth() } });
    let lines = 0;
    for await (const chunk of res.body!) for (const b of chunk as Uint8Array) if (b === 10) lines++;
    const auditSeconds = (performance.now() - t2) / 1000;

    const sorted = Float64Array.from(latencies).sort();
    return [
      { section: SECTION, name: 'append → SSE client p50', value: percentile(sorted, 0.5), unit: 'ms', note: `${sorted.length} events` },
      { section: SECTION, name: 'append → SSE client p99', value: percentile(sorted, 0.99), unit: 'ms' },
      { section: SECTION, name: `global SSE stream, ${count.toLocaleString('en-US')} events (10-event commits)`, value: count / sseSeconds, unit: 'events/s' },
      { section: SECTION, name: `audit NDJSON, one ${lines.toLocaleString('en-US')}-event workflow`, value: lines / auditSeconds, unit: 'events/s' },
    ];
  } finally {
    await nc.close();
    await system[Symbol.asyncDispose]();
  }
}
