import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { readModelBucket, WorkflowStatus } from '@topdog/contracts';
import { LRUCache } from 'lru-cache';

const CHECKPOINT_KEY = 'checkpoint';
const statusKey = (workflowId: string) => `status.${workflowId}`;

export interface ReadModelStoreOptions {
  prefix: string;
  replicas?: number;
  /** Memory for statuses, in bytes of their JSON; the rest are read from KV when asked for. */
  cacheBytes?: number;
  /** Told of each status read from KV: for a warm-up, or because it was needed and memory did not hold it (a cache miss). */
  countRead?: (reason: StatusRead) => void;
}

/** Why a status was read from KV. */
export type StatusRead = 'warm-up' | 'needed';

/** Per-entry bookkeeping besides the JSON itself (key, LRU node, KV revision). */
const ENTRY_OVERHEAD_BYTES = 160;

/**
 * A status as held in memory: its JSON (as this instance stored it, or as read back from KV and
 * validated), and the KV revision of that entry (a write's check).
 */
interface Held {
  json: string;
  /** The bucket's revision of the key when it held this JSON; undefined when not known. */
  kvRevision: number | undefined;
}

/** JetStream's answer to a write checked against a revision another writer has moved on from. */
const wrongLastSequence = (err: unknown): boolean => [10071, 10164].includes((err as { code?: unknown }).code as number);

/**
 * KV puts of one flush in flight at once. Each put in flight holds its encoded message, a
 * pending acknowledgement and its timer: with every status of a rebuild's flush in flight at
 * once, the projector peaked near 680 MB. 256 keep the connection busy.
 */
export const MAX_PUTS_IN_FLIGHT = 256;

/**
 * Runs `work` on every item with at most `limit` running at once; rejects with the first
 * failure, after which no further item is started.
 */
export async function eachWithLimit<T>(items: Iterable<T>, limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  let failed = false;
  const worker = async () => {
    for (let next = iterator.next(); !next.done && !failed; next = iterator.next()) {
      try {
        await work(next.value);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/**
 * Where the status read model lives: in memory for speed, in a NATS KV bucket for restarts.
 * Memory holds statuses as the JSON stored in KV, which takes less than half the room of the
 * objects, so about twice as many workflows are served without a KV read; changed statuses
 * wait as objects until the next flush.
 * Writes are batched: `flush` stores the changed statuses, then the checkpoint (the position
 * to resume from), so a crash between the two only replays events whose effects are already
 * stored (and are skipped by revision).
 *
 * Several projector instances share the bucket and its checkpoint. A status write never takes
 * a workflow's status back: each is checked against the KV revision this instance last saw of
 * the key, and when another instance wrote since, the stored status is read and kept if it is
 * at the same workflow revision or further. Without that, an instance behind another could
 * overwrite a newer status with an older one, and if it stopped before catching up, it would
 * resume from the other's checkpoint and never write the newer one again.
 */
export class ReadModelStore {
  private readonly memory: LRUCache<string, Held>;
  private dirty = new Map<string, WorkflowStatus>();
  /** The statuses the flush under way is storing: read from here until they are stored. */
  private flushing = new Map<string, WorkflowStatus>();
  /** Statuses being read from KV (for a warm-up, a query or the projection): one read per workflow at a time. */
  private readonly reading = new Map<string, Promise<WorkflowStatus | undefined>>();
  /** Counts resets: a read begun before one must not fill the emptied cache. */
  private generation = 0;
  private flushedPosition = 0;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly kv: KV,
    private readonly bucket: string,
    private readonly options: ReadModelStoreOptions,
  ) {
    this.memory = new LRUCache({ maxSize: options.cacheBytes ?? 64 * 2 ** 20, sizeCalculation: (held) => held.json.length + ENTRY_OVERHEAD_BYTES });
  }

  static async open(nc: NatsConnection, options: ReadModelStoreOptions): Promise<ReadModelStore> {
    const bucket = readModelBucket(options.prefix);
    const kv = await new Kvm(nc).create(bucket, { history: 1, replicas: options.replicas ?? 1 });
    return new ReadModelStore(nc, kv, bucket, options);
  }

  async loadCheckpoint(): Promise<number> {
    const entry = await this.kv.get(CHECKPOINT_KEY);
    const position = entry && entry.operation === 'PUT' ? Number(entry.string()) : 0;
    this.flushedPosition = Number.isFinite(position) ? position : 0;
    return this.flushedPosition;
  }

  /** The stored status, from memory or KV (validated as it is read back from KV). */
  async getStatus(workflowId: string): Promise<WorkflowStatus | undefined> {
    const changed = this.dirty.get(workflowId) ?? this.flushing.get(workflowId);
    if (changed) return changed;
    const held = this.memory.get(workflowId);
    return held ? (JSON.parse(held.json) as WorkflowStatus) : this.read(workflowId, 'needed');
  }

  /**
   * A command on this workflow is under way: its status is read from KV into memory now, unless
   * memory holds it or it has changed since the last flush. The projection's `getStatus` for the
   * command's events then finds it there, or joins the read. Resolves once the read is over; a
   * failed read is only a hint lost (the status is read again when it is needed).
   */
  async warm(workflowId: string): Promise<void> {
    if (this.dirty.has(workflowId) || this.flushing.has(workflowId) || this.memory.has(workflowId)) return;
    await this.read(workflowId, 'warm-up').catch(() => undefined);
  }

  /**
   * Reads a status from KV, validates it and keeps it in memory (unless a flush stored one
   * meanwhile, or a reset emptied the cache since the read began). One read per workflow at
   * a time: a second caller joins the first and gets the same status, as callers of a changed
   * status share it (the read models are evolved without changing what they are given).
   */
  private read(workflowId: string, reason: StatusRead): Promise<WorkflowStatus | undefined> {
    const under = this.reading.get(workflowId);
    if (under) return under;
    const generation = this.generation;
    const reading = this.kv
      .get(statusKey(workflowId))
      .then((entry) => {
        if (!entry || entry.operation !== 'PUT') return undefined;
        // Kept as validated: a status stored by an older version comes back with today's defaults.
        const status = WorkflowStatus.parse(entry.json());
        if (generation === this.generation && !this.memory.has(workflowId)) {
          this.memory.set(workflowId, { json: JSON.stringify(status), kvRevision: entry.revision });
        }
        this.options.countRead?.(reason);
        return status;
      })
      .finally(() => {
        if (this.reading.get(workflowId) === reading) this.reading.delete(workflowId);
      });
    this.reading.set(workflowId, reading);
    return reading;
  }

  /**
   * Every status stored in KV, read once at start-up (one ordered pass over the bucket's last
   * values, not a get per key): what the listing index is built from before the projection
   * resumes from its checkpoint.
   */
  async *storedStatuses(): AsyncGenerator<WorkflowStatus> {
    // An ordered consumer of each key's last value; it ends when nothing is pending, and a read
    // that stops short (NATS gone) throws rather than leave a partial listing behind.
    const consumer = await jetstream(this.nc).consumers.get(`KV_${this.bucket}`, {
      filter_subjects: `$KV.${this.bucket}.${statusKey('>')}`,
      deliver_policy: DeliverPolicy.LastPerSubject,
    });
    if ((await consumer.info(true)).num_pending === 0) return;
    const messages = await consumer.consume({ max_messages: 1000 });
    try {
      for await (const msg of messages) {
        if (msg.data.length > 0) yield WorkflowStatus.parse(msg.json());
        if (msg.info.pending === 0) return;
      }
    } finally {
      await messages.close().catch(() => undefined);
    }
    throw new Error('the read-model bucket stopped delivering before every status was read');
  }

  setStatus(status: WorkflowStatus): void {
    this.dirty.set(status.workflowId, status);
  }

  get pending(): number {
    return this.dirty.size;
  }

  needsFlush(position: number): boolean {
    return this.dirty.size > 0 || position > this.flushedPosition;
  }

  /**
   * Stores every changed status, at most `MAX_PUTS_IN_FLIGHT` at once, then the checkpoint:
   * the checkpoint only once every status of the flush is stored. One flush at a time.
   */
  async flush(position: number): Promise<void> {
    const batch = this.dirty;
    this.dirty = new Map();
    this.flushing = batch;
    try {
      await eachWithLimit(batch.values(), MAX_PUTS_IN_FLIGHT, (status) => this.storeForward(status));
    } catch (err) {
      for (const [id, s] of batch) if (!this.dirty.has(id)) this.dirty.set(id, s);
      throw err;
    } finally {
      this.flushing = new Map();
    }
    if (position > this.flushedPosition) {
      await this.kv.put(CHECKPOINT_KEY, String(position));
      this.flushedPosition = position;
    }
  }

  /**
   * Writes a status unless the bucket holds it at the same workflow revision or further: checked
   * against the key's KV revision this instance knows, read again when another instance wrote since.
   */
  private async storeForward(status: WorkflowStatus): Promise<void> {
    const key = statusKey(status.workflowId);
    const json = JSON.stringify(status);
    let kvRevision = this.memory.get(status.workflowId)?.kvRevision;
    for (;;) {
      try {
        const written = kvRevision === undefined ? await this.kv.create(key, json) : await this.kv.update(key, json, kvRevision);
        this.memory.set(status.workflowId, { json, kvRevision: written });
        return;
      } catch (err) {
        if (!wrongLastSequence(err)) throw err;
      }
      // Another instance wrote the key since: keep what it wrote if it is as far along or further.
      const entry = await this.kv.get(key);
      if (entry?.operation === 'PUT') {
        const stored = entry.string();
        if ((JSON.parse(stored) as WorkflowStatus).revision >= status.revision) {
          this.memory.set(status.workflowId, { json: stored, kvRevision: entry.revision });
          return;
        }
      }
      kvRevision = entry?.revision;
    }
  }

  /** Forgets everything: the bucket is purged and the checkpoint goes back to 0. */
  async reset(): Promise<void> {
    this.forget();
    this.flushedPosition = 0;
    const jsm = await jetstreamManager(this.nc);
    await jsm.streams.purge(`KV_${this.bucket}`);
    // A read begun while the purge was on its way (a warm-up, say) may have found what it removed.
    this.forget();
  }

  /** Empties memory, and keeps reads under way from filling it again. */
  private forget(): void {
    this.generation++;
    this.reading.clear();
    this.dirty.clear();
    this.flushing = new Map();
    this.memory.clear();
  }
}
