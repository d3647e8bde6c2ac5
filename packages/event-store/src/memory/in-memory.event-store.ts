import type { NewEvent } from '@topdog/contracts';
import {
  AppendTooLargeError,
  InvalidStreamIdError,
  STREAM_ID_PATTERN,
  WrongExpectedRevisionError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type ReadStreamOptions,
  type StoredEvent,
  type StreamSnapshot,
  type SubscribeToAllOptions,
} from '../event-store';
import { decodeCommit, encodeCommit } from '../commit';
import { MAX_EVENTS_PER_APPEND, positionOf, sequenceOf } from '../position';

export interface InMemoryEventStoreOptions {
  /**
   * The largest append, in bytes of its commit, as a server's message limit would be
   * (default 1 MiB, nats-server's default `max_payload`). Set it low to reach the code that
   * handles an AppendTooLargeError.
   */
  maxAppendBytes?: number;
}

/** One append: its sequence (from 1) and its commit, the bytes a JetStream message would hold. */
interface Commit {
  seq: number;
  streamId: string;
  category: string;
  firstRevision: number;
  count: number;
  payload: Uint8Array;
}

function categoryOf(streamId: string): string {
  const match = STREAM_ID_PATTERN.exec(streamId);
  if (!match) throw new InvalidStreamIdError(streamId);
  return match[1]!;
}

/** A commit's events as a reader gets them: fresh objects, decoded as the JetStream adapter does. */
const decode = (commit: Commit): StoredEvent[] => decodeCommit(commit.seq, commit.payload);

/**
 * The event store in this process's memory, for unit tests of the code above the port. It passes
 * the same contract suite as the JetStream adapter and numbers events the same way (one append
 * is one commit, positions `seq × 1000 + index`), so position arithmetic behaves as in
 * production. Appends are checked and applied within one turn of the event loop, so concurrent
 * writers race exactly as the revision check decides.
 */
export class InMemoryEventStore implements EventStore {
  private readonly log: Commit[] = [];
  private readonly streams = new Map<string, Commit[]>();
  private readonly snapshots = new Map<string, StreamSnapshot>();
  /** Subscriptions that have caught up and wait for the next append. */
  private readonly waiting = new Set<() => void>();
  private readonly maxAppendBytes: number;
  private closed = false;

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.maxAppendBytes = options.maxAppendBytes ?? 1024 * 1024;
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], { expectedRevision, lastHash }: AppendOptions): Promise<AppendResult> {
    if (events.length === 0 || events.length > MAX_EVENTS_PER_APPEND) {
      throw new RangeError(`an append holds 1 to ${MAX_EVENTS_PER_APPEND} events, not ${events.length}`);
    }
    const category = categoryOf(streamId);
    const commits = this.streams.get(streamId) ?? [];
    const revision = this.revisionOf(commits);
    const matches = expectedRevision === 'any' || (expectedRevision === 'no_stream' ? revision < 0 : expectedRevision === revision);
    if (!matches) throw new WrongExpectedRevisionError(streamId, expectedRevision, revision < 0 ? 'no_stream' : revision);
    const payload = encodeCommit(streamId, revision + 1, events, lastHash);
    if (payload.byteLength > this.maxAppendBytes) throw new AppendTooLargeError(streamId, payload.byteLength, this.maxAppendBytes);

    const commit: Commit = { seq: this.log.length + 1, streamId, category, firstRevision: revision + 1, count: events.length, payload };
    this.log.push(commit);
    commits.push(commit);
    this.streams.set(streamId, commits);
    this.wake();
    return { nextRevision: revision + events.length, position: positionOf(commit.seq, events.length - 1) };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    return this.eventsOf(streamId, options);
  }

  private eventsOf(streamId: string, options: ReadStreamOptions): StoredEvent[] {
    categoryOf(streamId);
    const fromRevision = options.fromRevision ?? 0;
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    const events: StoredEvent[] = [];
    for (const commit of this.streams.get(streamId) ?? []) {
      if (events.length >= maxCount) break;
      if (commit.firstRevision + commit.count <= fromRevision) continue;
      for (const event of decode(commit)) {
        if (event.revision >= fromRevision && events.length < maxCount) events.push(event);
      }
    }
    return events;
  }

  /** Catch-up, then live, until the signal aborts, the caller stops iterating or the store closes. */
  async *subscribeToAll(options: SubscribeToAllOptions = {}): AsyncGenerator<StoredEvent> {
    const after = options.fromPosition ?? 0;
    const { filter, signal } = options;
    if (filter && 'streamId' in filter) categoryOf(filter.streamId);
    const wanted = (commit: Commit) => !filter || ('category' in filter ? commit.category === filter.category : commit.streamId === filter.streamId);
    // The commit holding `after` may have later events, as on JetStream.
    let next = Math.max(1, sequenceOf(after));
    while (!signal?.aborted && !this.closed) {
      const commit = this.log[next - 1];
      if (!commit) {
        await this.nextAppend(signal);
        continue;
      }
      next++;
      if (!wanted(commit)) continue;
      for (const event of decode(commit)) {
        if (signal?.aborted) return;
        if (event.position > after) yield event;
      }
    }
  }

  /** Kept at the stream's last revision only, as the JetStream adapter keeps one at the tip it knows. */
  async saveSnapshot(streamId: string, snapshot: StreamSnapshot): Promise<boolean> {
    categoryOf(streamId);
    if (snapshot.revision !== this.revisionOf(this.streams.get(streamId) ?? []) || snapshot.data.byteLength > this.maxAppendBytes) return false;
    this.snapshots.set(streamId, { revision: snapshot.revision, data: snapshot.data.slice() });
    return true;
  }

  async readSnapshot(streamId: string): Promise<(StreamSnapshot & { events: StoredEvent[] }) | undefined> {
    const kept = this.snapshots.get(streamId);
    const events = this.eventsOf(streamId, { fromRevision: kept?.revision ?? 0 });
    if (!kept || events[0]?.revision !== kept.revision) return undefined;
    return { revision: kept.revision, data: kept.data.slice(), events };
  }

  async headPosition(): Promise<number> {
    const last = this.log.at(-1);
    return last ? positionOf(last.seq, last.count - 1) : 0;
  }

  /** Ends the live subscriptions; what was stored stays readable. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake();
  }

  private revisionOf(commits: readonly Commit[]): number {
    const last = commits.at(-1);
    return last ? last.firstRevision + last.count - 1 : -1;
  }

  /** Resolves at the next append, when the signal aborts, or when the store closes. */
  private nextAppend(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        this.waiting.delete(done);
        resolve();
      };
      this.waiting.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    for (const done of [...this.waiting]) done();
  }
}
