import { workflowStreamId } from '@topdog/contracts';
import { hashOf, type EventStore, type StoredEvent } from '@topdog/event-store';
import type { PromptInterning } from '@topdog/prompts';
import type { Logger } from 'pino';
import { decodeStateSnapshot, encodeStateSnapshot, type FoldedWorkflow, type KnownPrompts } from './state-snapshot';

/** What a read made of a workflow's snapshot: used, there but not usable (the events are folded), or none. */
export type SnapshotReadOutcome = 'used' | 'unusable' | 'none';

/** A folded workflow at its revision (-1: nothing stored yet). */
export type Loaded = FoldedWorkflow & { revision: number };

/** Snapshots written at once, between turns of the event loop, so that a flush never holds up a command for long. */
const WRITES_PER_TURN = 16;

export interface StateSnapshotsOptions {
  store: EventStore;
  logger: Logger;
  /** The state this instance holds for a workflow now (its cache), written when the workflow changed. */
  held: (workflowId: string) => Loaded | undefined;
  prompts: PromptInterning;
  /** The role prompts every instance holds, which a snapshot names rather than carries. */
  known: KnownPrompts;
  /** Told what each read made of the snapshot (a metric). */
  counted?: (outcome: SnapshotReadOutcome) => void;
  /** How often the workflows due are written (0: only by `flush`, for tests). */
  everyMs: number;
  /** Events past its last snapshot at which a workflow's next is due (1: every change). */
  afterEvents: number;
}

/**
 * The workflows' snapshots in the event store: a command on a workflow no instance's cache
 * holds reads its snapshot and the stream's tip at once, rather than every commit.
 *
 * A workflow's snapshot is due once it is `afterEvents` events past its last one, and written at
 * the next flush (every `everyMs`), so that a burst of commands writes one. One changed since its
 * last is written whatever the count when the cache lets go of it (between turns of the event
 * loop, not on the command's path) and when the service stops. A workflow a cold command found
 * no usable snapshot of is written at the next flush. So a snapshot is usually fewer than
 * `afterEvents` events behind its stream; more after a crash, where another instance wrote the
 * workflow since (its stop or eviction may even set the snapshot back to the state it held), or
 * where a write was not kept (too large for the bus, or the store did not take it).
 *
 * It counts only where the stream holds the event it was taken at (by revision, position and
 * hash); the events after it, if any, are given with it, for the command handler to fold on as it
 * folds any read (one more round of reads). One that does not match the stream (recreated,
 * restored) or is of another version is not used: the workflow's events are folded, as without
 * snapshots (and as on KurrentDB, which has none).
 */
export class StateSnapshots {
  /**
   * Events each workflow is past its last snapshot, as this instance counts them (those changed
   * since it wrote or read one; a fold from the first event counts them all).
   */
  private readonly behind = new Map<string, number>();
  /** Those `afterEvents` or more past it, or that a cold command found no usable snapshot of: written at the next flush. */
  private readonly due = new Set<string>();
  /** Changed workflows the cache let go of, with the state it held: written next. */
  private readonly evictions = new Map<string, Loaded>();
  private evictionsScheduled = false;
  private readonly timer: NodeJS.Timeout | undefined;
  private writes: Promise<void> = Promise.resolve();
  /** Snapshots the store sent (for the stop's log line; sent, not acknowledged: the connection's drain delivers them). */
  private sent = 0;

  constructor(private readonly o: StateSnapshotsOptions) {
    if (o.everyMs > 0 && o.store.saveSnapshot) {
      this.timer = setInterval(() => void this.flush(), o.everyMs);
      this.timer.unref();
    }
  }

  /**
   * The workflow as its snapshot holds it (`at`), and the stored events after it (`after`: none
   * when it is at the tip); undefined where there is no snapshot this version can read, or it does
   * not match the stream (the event it was taken at, by revision, position and hash).
   */
  async read(workflowId: string): Promise<{ at: Loaded; after: StoredEvent[] } | undefined> {
    if (!this.o.store.readSnapshot) return undefined;
    try {
      const kept = await this.o.store.readSnapshot(workflowStreamId(workflowId));
      if (!kept) {
        this.o.counted?.('none');
        return undefined;
      }
      const folded = decodeStateSnapshot(kept.data, this.o.known);
      const [at, ...after] = kept.events;
      if (!folded || !at || at.position !== folded.position || hashOf(at) !== folded.lastHash) {
        this.o.logger.debug({ workflowId }, 'snapshot of another version, or not of the stream as stored: its events are folded instead');
        this.o.counted?.('unusable');
        return undefined;
      }
      const { state } = folded;
      // One copy of the recorded prompts in memory, as a fold of the events keeps.
      const interned = state.status !== 'empty' && state.prompts ? { ...state, prompts: this.o.prompts.prompts(state.prompts) } : state;
      this.o.counted?.('used');
      return { at: { ...folded, state: interned, revision: kept.revision }, after };
    } catch (err) {
      // The read of the events that follows says whether the store is there.
      this.o.logger.debug({ err, workflowId }, 'snapshot not read: its events are folded instead');
      return undefined;
    }
  }

  /** `events` more of the workflow's events are in the cache: its snapshot is due once it is `afterEvents` behind. */
  markChanged(workflowId: string, events: number): void {
    if (!this.o.store.saveSnapshot) return;
    // Held again (read back since the cache let go of it): what it holds now is what is written.
    this.evictions.delete(workflowId);
    const behind = (this.behind.get(workflowId) ?? 0) + events;
    this.behind.set(workflowId, behind);
    if (behind >= this.o.afterEvents) this.due.add(workflowId);
  }

  /** A cold command found no snapshot it could use, and the cache holds the workflow folded from its events: written at the next flush. */
  markDue(workflowId: string): void {
    if (this.behind.has(workflowId)) this.due.add(workflowId);
  }

  /** The cache lets go of a workflow: written soon, off the command's path, if it changed since its last snapshot. */
  evicted(workflowId: string, loaded: Loaded): void {
    if (!this.forget(workflowId)) return;
    this.evictions.set(workflowId, loaded);
    if (this.evictionsScheduled) return;
    this.evictionsScheduled = true;
    setImmediate(() => {
      this.evictionsScheduled = false;
      void this.writing(() => [...this.evictions.keys()]);
    });
  }

  /** The cache dropped a workflow whose last write is in doubt: nothing of it is written. */
  dropped(workflowId: string): void {
    this.forget(workflowId);
  }

  /** Writes the snapshots due (and those of workflows the cache let go of). */
  flush(): Promise<void> {
    return this.writing(() => [...this.evictions.keys(), ...this.due]);
  }

  /** Stops the timer and writes the snapshot of every workflow changed since its last (the caller has stopped changing them). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const started = performance.now();
    const sent = this.sent;
    await this.writing(() => [...this.evictions.keys(), ...this.behind.keys()]);
    const count = this.sent - sent;
    if (count > 0) this.o.logger.info({ snapshots: count, ms: Math.round(performance.now() - started) }, 'snapshots sent at stop');
  }

  /** Whether the workflow had changed since its last snapshot; it is not tracked any more. */
  private forget(workflowId: string): boolean {
    this.due.delete(workflowId);
    return this.behind.delete(workflowId);
  }

  /**
   * The state to write for a workflow, which is not tracked any more: the one the cache held when
   * it let go of it, else the cached one if it changed since its last snapshot; undefined where
   * there is nothing to write (written or dropped since).
   */
  private take(workflowId: string): Loaded | undefined {
    const evicted = this.evictions.get(workflowId);
    if (evicted) {
      this.evictions.delete(workflowId);
      return evicted;
    }
    return this.forget(workflowId) ? this.o.held(workflowId) : undefined;
  }

  /** Writes the workflows `chosen` names, chosen once the writes before are done. */
  private writing(chosen: () => string[]): Promise<void> {
    this.writes = this.writes.then(() => this.writeAll(chosen()));
    return this.writes;
  }

  private async writeAll(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += WRITES_PER_TURN) {
      if (i > 0) await new Promise((r) => setImmediate(r));
      await Promise.all(
        ids.slice(i, i + WRITES_PER_TURN).map(async (id) => {
          const loaded = this.take(id);
          if (loaded) await this.write(id, loaded);
        }),
      );
    }
  }

  private async write(workflowId: string, loaded: Loaded): Promise<void> {
    try {
      const data = encodeStateSnapshot(loaded, this.o.known);
      if (await this.o.store.saveSnapshot?.(workflowStreamId(workflowId), { revision: loaded.revision, data })) this.sent++;
    } catch (err) {
      this.o.logger.debug({ err, workflowId }, 'snapshot not written: tried again at the next flush');
      this.again(workflowId, loaded);
    }
  }

  /**
   * A write the store could not take (the bus away): the workflow is written at the next flush,
   * from the cache if it still holds that state, else as the cache last held it (the store sends
   * it only if that is still the stream's tip). Nothing to do where it changed since: it is
   * tracked again.
   */
  private again(workflowId: string, loaded: Loaded): void {
    if (this.behind.has(workflowId) || this.evictions.has(workflowId)) return;
    const held = this.o.held(workflowId);
    if (held === loaded) this.markChanged(workflowId, this.o.afterEvents);
    else if (!held) this.evictions.set(workflowId, loaded);
  }
}
