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
 * holds reads its snapshot and the stream's tip at once, rather than every commit. A workflow's
 * snapshot is due once it is `afterEvents` events past its last one, and written at the next
 * flush (every `everyMs`), so that a burst of commands writes one; one changed since its last is
 * written whatever the count when the cache lets go of it, and when the service stops. So a
 * snapshot is behind its stream by fewer than `afterEvents` events, except after a crash or where
 * another instance wrote the workflow since. It counts
 * only where the stream holds the event it was taken at (by revision, position and hash); the
 * events after it, if any, are given with it, for the command handler to fold on as it folds any
 * read (one more round of reads, of at most `afterEvents - 1` events). One that does not match
 * the stream (recreated, restored) or is of another version is not used: the workflow's events
 * are folded, as without snapshots (and as on KurrentDB, which has none).
 */
export class StateSnapshots {
  /** Events each workflow is past its last snapshot (those changed since it was written or read). */
  private readonly behind = new Map<string, number>();
  /** Those `afterEvents` or more past it: written at the next flush. */
  private readonly due = new Set<string>();
  private readonly timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

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
    const behind = (this.behind.get(workflowId) ?? 0) + events;
    this.behind.set(workflowId, behind);
    if (behind >= this.o.afterEvents) this.due.add(workflowId);
  }

  /** The cache lets go of a workflow: written now if it changed since its last snapshot. */
  evicted(workflowId: string, loaded: Loaded): void {
    if (this.forget(workflowId)) void this.write(workflowId, loaded);
  }

  /** The cache dropped a workflow whose last write is in doubt: nothing of it is written. */
  dropped(workflowId: string): void {
    this.forget(workflowId);
  }

  /** Writes the snapshots due. */
  flush(): Promise<void> {
    return this.writing(() => [...this.due]);
  }

  /** Stops the timer and writes the snapshot of every workflow changed since its last. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.writing(() => [...this.behind.keys()]);
  }

  /** Whether the workflow had changed since its last snapshot; it is not tracked any more. */
  private forget(workflowId: string): boolean {
    this.due.delete(workflowId);
    return this.behind.delete(workflowId);
  }

  /** Writes the snapshots of the workflows `chosen` gives once the writes before are done. */
  private writing(chosen: () => string[]): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeAll(chosen()));
    return this.flushing;
  }

  private async writeAll(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += WRITES_PER_TURN) {
      if (i > 0) await new Promise((r) => setImmediate(r));
      await Promise.all(
        ids.slice(i, i + WRITES_PER_TURN).map(async (id) => {
          // Not tracked any more: evicted (and written then) or dropped since the flush began.
          if (!this.forget(id)) return;
          const loaded = this.o.held(id);
          if (loaded) await this.write(id, loaded);
        }),
      );
    }
  }

  private async write(workflowId: string, loaded: Loaded): Promise<void> {
    try {
      await this.o.store.saveSnapshot?.(workflowStreamId(workflowId), { revision: loaded.revision, data: encodeStateSnapshot(loaded, this.o.known) });
    } catch (err) {
      this.o.logger.debug({ err, workflowId }, 'snapshot not written');
    }
  }
}
