// What each replay reaches doing nothing but the work its guarantees and its answer require,
// measured as its floor, the ordered consumer, is: in this process, over the same stream, from the
// start. Beside the rebuild and GET /api/events, what our own code adds to that work.
// - The rebuild's: each commit decoded, each event checked against its schema and folded into
//   its workflow's status (the projector's own fold), and each workflow's status stored once a
//   flush (every five seconds and at the end, as the projector stores them while catching up; a
//   put with its ack, 256 in flight, as the projector writes them, to a bucket of its own: a
//   stream keeping one message per key, as a KV bucket's does).
// - GET /api/events's: each commit decoded, each event made into its audit record (its hash
//   computed) and encoded as JSON, as the stream must send it.
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { WorkflowEnvelope, type WorkflowStatus } from '@topdog/contracts';
import { auditRecord } from '@topdog/event-store';
import { decodeCommit } from '../../packages/event-store/src/commit';
import { evolveStatus } from '../../services/projector/src/read-models/workflow-status';

/** As the projector: a flush at most every five seconds while catching up, 256 puts in flight. */
const FLUSH_EVERY_MS = 5_000;
const PUTS_IN_FLIGHT = 256;
const BUCKET = 'bench_replay_floor';
const encoder = new TextEncoder();

/**
 * Reads `events` events of `stream` from the start with an ordered consumer, handing each
 * commit's events to `apply`; then awaits `finish`. Events per second, over the whole of it.
 */
async function replayRate(
  nc: NatsConnection,
  stream: string,
  events: number,
  apply: (decoded: ReturnType<typeof decodeCommit>) => void,
  finish: () => Promise<void> = async () => {},
): Promise<number> {
  let read = 0;
  const t0 = performance.now();
  const messages = await (await jetstream(nc).consumers.get(stream, { deliver_policy: DeliverPolicy.All })).consume({ max_messages: 1_000 });
  for await (const m of messages) {
    const decoded = decodeCommit(m.seq, m.data);
    apply(decoded);
    read += decoded.length;
    if (read >= events) break;
  }
  await messages.close();
  await finish();
  return read / ((performance.now() - t0) / 1000);
}

/** The rebuild's floor, events/s. */
export async function rebuildFloor(nc: NatsConnection, stream: string, events: number): Promise<number> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: `KV_${BUCKET}`, subjects: [`$KV.${BUCKET}.>`], max_msgs_per_subject: 1, allow_direct: true });
  const js = jetstream(nc);
  const statuses = new Map<string, WorkflowStatus>();
  let dirty = new Map<string, WorkflowStatus>();
  let flushing: Promise<void> = Promise.resolve();
  let lastFlush = performance.now();
  const flush = () => {
    const batch = [...dirty.values()];
    dirty = new Map();
    const next = async () => {
      for (let s = batch.pop(); s; s = batch.pop()) await js.publish(`$KV.${BUCKET}.status.${s.workflowId}`, encoder.encode(JSON.stringify(s)));
    };
    // One flush at a time, as the projector's.
    flushing = flushing.then(() => Promise.all(Array.from({ length: PUTS_IN_FLIGHT }, next))).then(() => undefined);
    lastFlush = performance.now();
  };
  try {
    return await replayRate(
      nc,
      stream,
      events,
      (decoded) => {
        for (const raw of decoded) {
          const event = WorkflowEnvelope.parse(raw);
          const next = evolveStatus(statuses.get(event.data.workflowId), event);
          if (!next) continue;
          statuses.set(next.workflowId, next);
          dirty.set(next.workflowId, next);
        }
        if (performance.now() - lastFlush >= FLUSH_EVERY_MS) flush();
      },
      async () => {
        flush();
        await flushing;
      },
    );
  } finally {
    await jsm.streams.delete(`KV_${BUCKET}`);
  }
}

/** GET /api/events's floor, events/s. */
export function eventStreamFloor(nc: NatsConnection, stream: string, events: number): Promise<number> {
  return replayRate(nc, stream, events, (decoded) => {
    for (const e of decoded) JSON.stringify(auditRecord(e));
  });
}
