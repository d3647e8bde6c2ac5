// The replays' floors, measured in the bench's process over the event stream from its start:
// - the ordered consumer every replay is judged against: each commit parsed, its events counted;
// - the rebuild's floor: each commit decoded, each event checked against its schema and folded
//   into its workflow's status (the projector's own fold), each status stored as the projector
//   stores them while catching up (below);
// - GET /api/events's floor: each commit decoded, each event made into its audit record (its
//   hash computed) and encoded as JSON, as the stream must send it.
// Each floor does the work its replay cannot skip, and none of its other work: the rebuild's
// keeps statuses as objects, builds no listing, prompt views or usage, broadcasts nothing;
// GET /api/events's writes to no socket.
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { WorkflowEnvelope, type WorkflowStatus } from '@topdog/contracts';
import { auditRecord, type StoredEvent } from '@topdog/event-store';
import { decodeCommit } from '../../packages/event-store/src/commit';
import { CATCH_UP_FLUSH_MS, MAX_PENDING_WRITES } from '../../services/projector/src/projection/flush-scheduler';
import { eachWithLimit, MAX_PUTS_IN_FLIGHT } from '../../services/projector/src/projection/read-model-store';
import { evolveStatus } from '../../services/projector/src/read-models/workflow-status';

const BUCKET = 'bench_replay_floor';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Reads `events` events of `stream` from its start with an ordered consumer, handing each
 * message to `apply` (which answers how many events it held, and may return a promise to wait
 * for before the next). Events per second, until the last is applied.
 */
async function replayRate(
  nc: NatsConnection,
  stream: string,
  events: number,
  apply: (seq: number, data: Uint8Array) => number | Promise<number>,
): Promise<number> {
  let read = 0;
  const t0 = performance.now();
  const messages = await (await jetstream(nc).consumers.get(stream, { deliver_policy: DeliverPolicy.All })).consume({ max_messages: 1_000 });
  try {
    for await (const m of messages) {
      read += await apply(m.seq, m.data);
      if (read >= events) break;
    }
  } finally {
    await messages.close();
  }
  return read / ((performance.now() - t0) / 1000);
}

/** The ordered consumer, events/s: the floor every replay is judged against. */
export function orderedConsumerRate(nc: NatsConnection, stream: string, events: number): Promise<number> {
  return replayRate(nc, stream, events, (_seq, data) => (JSON.parse(decoder.decode(data)) as { events: unknown[] }).events.length);
}

/** GET /api/events's floor, events/s. */
export function eventStreamFloor(nc: NatsConnection, stream: string, events: number): Promise<number> {
  return replayRate(nc, stream, events, (seq, data) => {
    const decoded = decodeCommit(seq, data);
    for (const e of decoded) JSON.stringify(auditRecord(e));
    return decoded.length;
  });
}

/**
 * The rebuild's floor, events/s: until every event is applied, as the rebuild is timed (until the
 * projector says it has caught up: its statuses answer queries from memory, its last flush still
 * to come). Statuses are stored as the projector stores them while catching up: each workflow's
 * once a flush, every five seconds, one flush at a time, 256 puts in flight, each a create (the
 * rebuild emptied the bucket) or an update checked against the key's last revision, then the
 * checkpoint; and applying waits for a flush once 20,000 writes are pending. The last flush is
 * awaited after the clock stops, as the rebuild's is.
 */
export async function rebuildFloor(nc: NatsConnection, stream: string, events: number): Promise<number> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: `KV_${BUCKET}`, subjects: [`$KV.${BUCKET}.>`], max_msgs_per_subject: 1, allow_direct: true });
  const statuses = new StatusWriter(jetstream(nc));
  const held = new Map<string, WorkflowStatus>();
  let lastFlushAt = performance.now();
  let rate: number;
  try {
    rate = await replayRate(nc, stream, events, async (seq, data) => {
      statuses.check();
      const decoded: StoredEvent[] = decodeCommit(seq, data);
      for (const raw of decoded) {
        const event = WorkflowEnvelope.parse(raw);
        const next = evolveStatus(held.get(event.data.workflowId), event);
        if (!next) continue;
        held.set(next.workflowId, next);
        statuses.pend(next, raw.position);
      }
      if (statuses.pending >= MAX_PENDING_WRITES) await statuses.flush();
      else if (performance.now() - lastFlushAt >= CATCH_UP_FLUSH_MS) {
        lastFlushAt = performance.now();
        void statuses.flush();
      }
      return decoded.length;
    });
  } finally {
    await statuses.flush();
    await jsm.streams.delete(`KV_${BUCKET}`);
  }
  statuses.check();
  return rate;
}

/** The rebuild floor's status writes: pending statuses, stored one flush at a time. */
class StatusWriter {
  private dirty = new Map<string, WorkflowStatus>();
  private revisions = new Map<string, number>();
  private position = 0;
  private flushing: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(private readonly js: JetStreamClient) {}

  get pending(): number {
    return this.dirty.size;
  }

  pend(status: WorkflowStatus, position: number): void {
    this.dirty.set(status.workflowId, status);
    this.position = position;
  }

  /** Stores what is pending once the flush under way is over. A failed write fails `check`, not the flush. */
  flush(): Promise<void> {
    const batch = this.dirty;
    const position = this.position;
    this.dirty = new Map();
    this.flushing = this.flushing
      .then(async () => {
        if (this.failure) return;
        await eachWithLimit(batch.values(), MAX_PUTS_IN_FLIGHT, (s) => this.store(`status.${s.workflowId}`, JSON.stringify(s)));
        await this.js.publish(`$KV.${BUCKET}.checkpoint`, encoder.encode(String(position)));
      })
      .catch((err: unknown) => void (this.failure ??= err));
    return this.flushing;
  }

  /** Throws the first write's failure, if one failed. */
  check(): void {
    if (this.failure) throw new Error('the rebuild floor could not store a status', { cause: this.failure });
  }

  /** A create, or an update checked against the key's last revision, as the projector writes a status. */
  private async store(key: string, value: string): Promise<void> {
    const ack = await this.js.publish(`$KV.${BUCKET}.${key}`, encoder.encode(value), { expect: { lastSubjectSequence: this.revisions.get(key) ?? 0 } });
    this.revisions.set(key, ack.seq);
  }
}
