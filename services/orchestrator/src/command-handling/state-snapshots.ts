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
  /** How often the workflows changed since are written (0: only by `flush`, for tests). */
  everyMs: number;
}

/**
 * The workflows' snapshots in the event store: a command on a workflow no instance's cache
 * holds reads its snapshot and the stream's tip at once, rather than every commit. A snapshot is
 * written some time after its workflow changes (`everyMs`), so that a burst of commands writes
 * one, and at once when the cache lets go of a changed workflow. It counts only where the
 * stream holds the event it was taken at (by revision, position and hash); the events after it,
 * if any, are given with it, for the command handler to fold on as it folds any read. So one out of date costs a read of the newer commits, and one that
 * does not match the stream (recreated, restored) or is of another version is not used: the
 * workflow's events are folded, as without snapshots (and as on KurrentDB, which has none).
 */
export class StateSnapshots {
  private readonly changed = new Set<string>();
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

  /** The workflow's state changed in the cache: its snapshot is written at the next flush. */
  markChanged(workflowId: string): void {
    if (this.o.store.saveSnapshot) this.changed.add(workflowId);
  }

  /** The cache lets go of a workflow: written now if it changed since its last snapshot. */
  evicted(workflowId: string, loaded: Loaded): void {
    if (this.changed.delete(workflowId)) void this.write(workflowId, loaded);
  }

  /** The cache dropped a workflow whose last write is in doubt: nothing of it is written. */
  dropped(workflowId: string): void {
    this.changed.delete(workflowId);
  }

  /** Writes the snapshots of the workflows changed since the last flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeChanged());
    return this.flushing;
  }

  /** Stops the timer and writes what changed. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async writeChanged(): Promise<void> {
    const ids = [...this.changed];
    for (let i = 0; i < ids.length; i += WRITES_PER_TURN) {
      if (i > 0) await new Promise((r) => setImmediate(r));
      await Promise.all(
        ids.slice(i, i + WRITES_PER_TURN).map(async (id) => {
          // Gone from the set: evicted (and written then) or dropped since the flush began.
          if (!this.changed.delete(id)) return;
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
