import {
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type JetStreamPublishOptions,
  type PubAck,
  type StoredMsg,
} from '@nats-io/jetstream';
import { headers as natsHeaders, TimeoutError, type NatsConnection } from '@nats-io/transport-node';
import { allEventsSubject, categoryEventsSubject, eventStreamName, eventSubject, snapshotStreamName, snapshotSubject, type NewEvent } from '@topdog/contracts';
import { LRUCache } from 'lru-cache';
import {
  InvalidStreamIdError,
  STREAM_ID_PATTERN,
  WrongExpectedRevisionError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type ReadStreamOptions,
  type StoredEvent,
  type StreamSnapshot,
  type SubscribeToAllOptions,
} from '../event-store';
import {
  decodeCommit,
  EARLIER_SEQUENCES_HEADER,
  EARLIER_SEQUENCES_MAX,
  encodeCommit,
  EVENT_TYPES_HEADER,
  eventTypesOf,
  LAST_REVISION_HEADER,
  MAX_EVENTS_PER_APPEND,
  positionOf,
  parseEarlierSequences,
  PREVIOUS_SEQUENCE_HEADER,
  sequenceOf,
} from './commit-codec';
import { assertFitsTheBus, fitsTheBus } from './bus-message-limit';
import { unavailableOr } from './store-unavailable';
import { ConsumerLiveness } from './consumer-liveness';
import { ensureSnapshotStream, SNAPSHOT_HEADER_BYTES, snapshotHeaders, snapshotTipOf } from './snapshot-stream';

export interface JetStreamEventStoreOptions {
  prefix: string;
  /** Stream replicas (1 on one server, 3 on a cluster). */
  replicas?: number;
  /** How long a repeated append (same first event id) is recognised as a duplicate. */
  duplicateWindowMs?: number;
  /** How many streams' last revision and sequence to remember. */
  tipCacheSize?: number;
  /**
   * How often the server sends a waiting subscription a heartbeat; a subscription that hears
   * nothing for three of them while it waits ends with a `SubscriptionStalledError`.
   */
  idleHeartbeatMs?: number;
  /**
   * Read each stream's tip from the event stream's leader, not from whichever replica answers a
   * direct get: one that has just come back may lag, and a writer that took its stale tip would
   * fail every append it retries as a conflict. The writer's choice (the orchestrator) when the
   * stream has replicas; readers read from any replica.
   */
  leaderReads?: boolean;
  /**
   * How long a JetStream API request (a tip from the leader, the stream's info) waits; the
   * client's default is 5 s. The writer waits less: while a cluster elects a stream leader its
   * requests go unanswered, and a command must get its 503 well before the gateway gives up.
   * Readers keep the default, which rides out a server's recovery after a restart.
   */
  apiTimeoutMs?: number;
}

/** A stream's last revision and the sequence of the message that holds it. */
interface Tip {
  revision: number;
  seq: number;
  /** The sequences of the stream's earlier commits (the last EARLIER_SEQUENCES_MAX), where known. */
  earlier: readonly number[] | undefined;
}

const NO_STREAM: Tip = { revision: -1, seq: 0, earlier: [] };

/**
 * One publish attempt's wait for its acknowledgement. Three attempts and a tip read may outlast
 * the gateway's 5 s: a command can then be stored after its caller was told 503, which is why
 * commands are retried with their Idempotency-Key (the retry gets the stored outcome).
 */
const PUBLISH_TIMEOUT_MS = 1_500;

/** The JetStream client's options: the API's wait, where the options set one. */
const apiOptions = (options: JetStreamEventStoreOptions) => (options.apiTimeoutMs ? { timeout: options.apiTimeoutMs } : {});

const tipOf = (commit: StoredMsg): Tip => ({
  revision: Number(commit.header.get(LAST_REVISION_HEADER)),
  seq: commit.seq,
  earlier: commit.header.get(PREVIOUS_SEQUENCE_HEADER) === '0' ? [] : parseEarlierSequences(commit.header.get(EARLIER_SEQUENCES_HEADER)),
});

/** Whether commits got by sequence are one stream's, each linking back to the one before it. */
const linkedInOrder = (commits: readonly StoredMsg[], subject: string): boolean =>
  commits.every((c, i) => c.subject === subject && (i === 0 || c.header.get(PREVIOUS_SEQUENCE_HEADER) === String(commits[i - 1]!.seq)));

/** What the commit after `tip` lists as its earlier commits. */
const earlierAfter = (tip: Tip): readonly number[] | undefined => (tip.seq === 0 ? [] : tip.earlier && [...tip.earlier, tip.seq].slice(-EARLIER_SEQUENCES_MAX));

/**
 * The event store on one JetStream stream per deployment: `<PREFIX>_WORKFLOW_EVENTS`,
 * subjects `<prefix>.events.<category>.<id>`. Optimistic concurrency is the server's
 * `Nats-Expected-Last-Subject-Sequence` check; `Nats-Msg-Id` (the first event's id) makes a
 * retried append a no-op within the duplicate window.
 */
export class JetStreamEventStore implements EventStore {
  private readonly js: JetStreamClient;
  private readonly streamName: string;
  private readonly tips: LRUCache<string, Tip>;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly options: JetStreamEventStoreOptions,
    /** Opened with `create`: it appends, so the tips it learns are kept for its next appends. */
    private readonly writer: boolean,
  ) {
    this.js = jetstream(nc, apiOptions(options));
    this.streamName = eventStreamName(options.prefix);
    // Bounded by count through maxSize: with `max`, lru-cache would allocate room for every entry up front.
    this.tips = new LRUCache({ maxSize: options.tipCacheSize ?? 100_000, sizeCalculation: () => 1 });
  }

  /** Connects the adapter for the writer, creating or updating the stream. */
  static async create(nc: NatsConnection, options: JetStreamEventStoreOptions): Promise<JetStreamEventStore> {
    const jsm = await jetstreamManager(nc, apiOptions(options));
    const store = new JetStreamEventStore(nc, jsm, options, true);
    await store.ensureStream();
    await ensureSnapshotStream(jsm, options.prefix, options.replicas ?? 1);
    return store;
  }

  /**
   * Connects the adapter for a reader, which may not change the stream (its bus permissions
   * allow reading only): the stream is the writer's to create, so until it exists this waits,
   * calling `onWait` now and then.
   */
  static async connect(nc: NatsConnection, options: JetStreamEventStoreOptions, onWait?: (err: Error) => void): Promise<JetStreamEventStore> {
    const jsm = await jetstreamManager(nc, apiOptions(options));
    const store = new JetStreamEventStore(nc, jsm, options, false);
    for (let attempt = 0; ; attempt++) {
      try {
        await jsm.streams.info(store.streamName);
        return store;
      } catch (err) {
        if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
        if (attempt % 20 === 0) onWait?.(err);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async ensureStream(): Promise<void> {
    const config = {
      name: this.streamName,
      subjects: [allEventsSubject(this.options.prefix)],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      max_msgs_per_subject: -1,
      max_msgs: -1,
      max_bytes: -1,
      max_age: 0,
      num_replicas: this.options.replicas ?? 1,
      duplicate_window: (this.options.duplicateWindowMs ?? 120_000) * 1_000_000,
      allow_direct: true,
      deny_delete: true,
      deny_purge: false,
    };
    try {
      await this.jsm.streams.info(this.streamName);
      await this.jsm.streams.update(this.streamName, config);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) {
        await this.jsm.streams.add(config);
      } else {
        throw err;
      }
    }
  }

  private subjectOf(streamId: string): string {
    if (!STREAM_ID_PATTERN.test(streamId)) throw new InvalidStreamIdError(streamId);
    return eventSubject(this.options.prefix, streamId);
  }

  /** The stream's last commit as stored now (one get of the subject's last message). */
  private lastCommit(subject: string): Promise<StoredMsg | null> {
    if (this.options.leaderReads) return this.jsm.streams.getMessage(this.streamName, { last_by_subj: subject });
    return this.jsm.direct.getMessage(this.streamName, { last_by_subj: subject });
  }

  /** A commit by sequence: a direct get, from the leader when a lagging replica does not have it yet. */
  private async commitAt(seq: number): Promise<StoredMsg | null> {
    const msg = await this.jsm.direct.getMessage(this.streamName, { seq });
    if (msg || !this.options.leaderReads) return msg;
    return this.jsm.streams.getMessage(this.streamName, { seq });
  }

  /** The stream's tip as stored now. */
  private async fetchTip(subject: string): Promise<Tip> {
    const msg = await this.lastCommit(subject);
    return msg ? tipOf(msg) : NO_STREAM;
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult> {
    try {
      return await this.append(streamId, events, options);
    } catch (err) {
      throw unavailableOr(err, `append to ${streamId}`);
    }
  }

  private async append(streamId: string, events: readonly NewEvent[], { expectedRevision, lastHash }: AppendOptions): Promise<AppendResult> {
    if (events.length === 0 || events.length > MAX_EVENTS_PER_APPEND) {
      throw new RangeError(`an append holds 1 to ${MAX_EVENTS_PER_APPEND} events, not ${events.length}`);
    }
    const subject = this.subjectOf(streamId);
    const tip = await this.tipFor(streamId, subject, expectedRevision);
    const payload = encodeCommit(streamId, tip.revision + 1, events, lastHash);
    const earlier = earlierAfter(tip);
    const earlierHeader = earlier && earlier.length > 0 ? earlier.join(',') : undefined;
    assertFitsTheBus(this.nc, streamId, payload.byteLength, earlierHeader ? EARLIER_SEQUENCES_HEADER.length + earlierHeader.length + 4 : 0);

    const lastRevision = tip.revision + events.length;
    const h = natsHeaders();
    h.set(LAST_REVISION_HEADER, String(lastRevision));
    h.set(EVENT_TYPES_HEADER, eventTypesOf(events));
    h.set(PREVIOUS_SEQUENCE_HEADER, String(tip.seq));
    if (earlierHeader) h.set(EARLIER_SEQUENCES_HEADER, earlierHeader);
    try {
      const ack = await this.publishOnce(subject, payload, {
        msgID: events[0]!.id,
        expect: { lastSubjectSequence: tip.seq, streamName: this.streamName },
        headers: h,
        retries: 5,
      });
      this.remember(streamId, { revision: lastRevision, seq: ack.seq, earlier });
      return { nextRevision: lastRevision, position: positionOf(ack.seq, events.length - 1) };
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence) {
        this.tips.delete(streamId);
        throw new WrongExpectedRevisionError(streamId, expectedRevision, 'unknown', { cause: err });
      }
      throw err;
    }
  }

  /**
   * Publishes, retrying a timed-out publish with the same message id: if the first attempt
   * was stored, the server answers the retry as a duplicate with the original sequence. Each
   * attempt waits `PUBLISH_TIMEOUT_MS`, not the client's default 5 s: a publish whose server died
   * (a cluster node lost) goes again on the reconnected connection, within a caller's own limit.
   */
  private async publishOnce(subject: string, payload: Uint8Array, options: Partial<JetStreamPublishOptions>): Promise<PubAck> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.js.publish(subject, payload, { ...options, timeout: PUBLISH_TIMEOUT_MS });
      } catch (err) {
        if (!(err instanceof TimeoutError) || attempt >= 3) throw err;
      }
    }
  }

  /** The tip an append must build on, checked against what the writer expects. */
  private async tipFor(streamId: string, subject: string, expected: ExpectedRevision): Promise<Tip> {
    if (expected === 'no_stream') return NO_STREAM;
    const cached = this.tips.get(streamId);
    if (typeof expected === 'number' && cached?.revision === expected) return cached;
    if (typeof expected === 'number' && cached && cached.revision > expected) {
      throw new WrongExpectedRevisionError(streamId, expected, cached.revision);
    }
    const tip = await this.fetchTip(subject);
    if (expected !== 'any' && tip.revision !== expected) {
      throw new WrongExpectedRevisionError(streamId, expected, tip.seq === 0 ? 'no_stream' : tip.revision);
    }
    return tip;
  }

  /**
   * A whole stream (or its tail from a revision) is read from its tip backwards along the
   * commits' links: the earlier commits a commit lists in one round of direct gets by sequence,
   * else one direct get per commit. A bounded read from an early
   * revision (`maxCount`, audit paging) reads forward by subject instead, and so does a stream
   * whose commits predate the links.
   */
  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    try {
      return await this.read(streamId, options);
    } catch (err) {
      throw unavailableOr(err, `read ${streamId}`);
    }
  }

  private async read(streamId: string, options: ReadStreamOptions): Promise<StoredEvent[]> {
    const subject = this.subjectOf(streamId);
    const fromRevision = options.fromRevision ?? 0;
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    const last = await this.lastCommit(subject);
    if (!last) return [];
    const tip = tipOf(last);
    this.remember(streamId, tip);
    if (fromRevision > tip.revision) return [];
    const read =
      (maxCount === Number.POSITIVE_INFINITY ? await this.readBackwards(last, fromRevision) : undefined) ??
      (await this.readForwards(subject, tip, fromRevision, maxCount));
    // Read from its first commit, the stream's earlier commits are known, listed or not: the
    // next append lists them (a stream written before the lists gets one from here on), unless
    // this writer has appended to it since.
    if (read.seqs && this.tips.peek(streamId)?.seq === tip.seq) {
      this.remember(streamId, { ...tip, earlier: read.seqs.slice(0, -1).slice(-EARLIER_SEQUENCES_MAX) });
    }
    return read.events;
  }

  /** Keeps a stream's tip for the next append to it; a reader, which never appends, keeps none. */
  private remember(streamId: string, tip: Tip): void {
    if (this.writer) this.tips.set(streamId, tip);
  }

  /**
   * The events from the tip back to `fromRevision`, or undefined where a link is missing; with
   * the sequences of every commit, oldest first, when the read went back to the first.
   */
  private async readBackwards(tip: StoredMsg, fromRevision: number): Promise<{ events: StoredEvent[]; seqs?: number[] } | undefined> {
    const commits: { seq: number; events: StoredEvent[] }[] = [];
    let msg: StoredMsg | null = tip;
    while (msg) {
      const events = decodeCommit(msg.seq, msg.data);
      commits.push({ seq: msg.seq, events });
      const firstRevision = events[0]!.revision;
      if (firstRevision <= fromRevision) break;
      const previous = msg.header.get(PREVIOUS_SEQUENCE_HEADER);
      if (previous === '') return undefined;
      if (previous === '0') break;
      // A commit holds at least one event: no more earlier commits than this are still needed.
      const listed: number[] | undefined = parseEarlierSequences(msg.header.get(EARLIER_SEQUENCES_HEADER))?.slice(-(firstRevision - fromRevision));
      if (listed && listed.length > 1 && listed.at(-1) === Number(previous)) {
        const got: (StoredMsg | null)[] = await Promise.all(listed.map((seq) => this.commitAt(seq)));
        if (got.some((m) => !m)) return undefined;
        // Taken only if they are this stream's and link one to the next, as written; else the
        // links are followed one by one.
        if (linkedInOrder(got as StoredMsg[], msg.subject)) {
          // The newer ones are taken here; the loop goes on from the oldest.
          for (let i = got.length - 1; i > 0; i--) commits.push({ seq: got[i]!.seq, events: decodeCommit(got[i]!.seq, got[i]!.data) });
          msg = got[0]!;
          continue;
        }
      }
      msg = await this.commitAt(Number(previous));
      if (!msg) return undefined;
    }
    commits.reverse();
    const events = commits.flatMap((c) => c.events).filter((e) => e.revision >= fromRevision);
    return commits[0]!.events[0]!.revision === 0 ? { events, seqs: commits.map((c) => c.seq) } : { events };
  }

  /** The events from `fromRevision` by subject search; with every commit's sequence when it read them all. */
  private async readForwards(subject: string, tip: Tip, fromRevision: number, maxCount: number): Promise<{ events: StoredEvent[]; seqs?: number[] }> {
    const events: StoredEvent[] = [];
    const seqs: number[] = [];
    let seq = 1;
    while (seq <= tip.seq && events.length < maxCount) {
      const msg = await this.jsm.direct.getMessage(this.streamName, { next_by_subj: subject, seq });
      if (!msg) break;
      seqs.push(msg.seq);
      const lastInCommit = Number(msg.header.get(LAST_REVISION_HEADER));
      if (lastInCommit >= fromRevision) {
        for (const event of decodeCommit(msg.seq, msg.data)) {
          if (event.revision >= fromRevision && events.length < maxCount) events.push(event);
        }
      }
      seq = msg.seq + 1;
    }
    return seqs.at(-1) === tip.seq ? { events, seqs } : { events };
  }

  async *subscribeToAll(options: SubscribeToAllOptions = {}): AsyncGenerator<StoredEvent> {
    if (options.signal?.aborted) return;
    const after = options.fromPosition ?? 0;
    const startSeq = Math.max(1, sequenceOf(after));
    const filter = options.filter;
    const filterSubject = !filter
      ? allEventsSubject(this.options.prefix)
      : 'category' in filter
        ? categoryEventsSubject(this.options.prefix, filter.category)
        : this.subjectOf(filter.streamId);
    const consumer = await this.js.consumers.get(this.streamName, {
      filter_subjects: filterSubject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: startSeq,
    });
    const idleHeartbeatMs = this.options.idleHeartbeatMs ?? 1_000;
    // The server refuses a heartbeat longer than half the pull's expiry.
    const messages = await consumer.consume({ max_messages: 1000, idle_heartbeat: idleHeartbeatMs, expires: Math.max(30_000, 4 * idleHeartbeatMs) });
    const liveness = new ConsumerLiveness(messages, idleHeartbeatMs);
    const onAbort = () => void messages.close();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // Aborted while the consumer was set up: the messages end once iterated (an iterator never
    // iterated would never report itself closed).
    if (options.signal?.aborted) onAbort();
    try {
      liveness.waiting();
      for await (const msg of messages) {
        liveness.received();
        for (const event of decodeCommit(msg.seq, msg.data)) {
          if (event.position > after) yield event;
        }
        liveness.waiting();
      }
    } finally {
      liveness.stop();
      options.signal?.removeEventListener('abort', onAbort);
      await messages.close().catch(() => undefined);
    }
  }

  /**
   * Sent without waiting for an acknowledgement: a snapshot is derived data, and one lost costs
   * a later read only the stream's events. Kept with where in the stream it was taken (the
   * revision, and the sequence of the commit holding it), which `readSnapshot` checks.
   */
  async saveSnapshot(streamId: string, snapshot: StreamSnapshot): Promise<boolean> {
    if (!this.writer) return false;
    if (!fitsTheBus(this.nc, snapshot.data.byteLength, SNAPSHOT_HEADER_BYTES)) return false;
    try {
      // A tip the cache has let go of (reads of other streams since) is read again: one get.
      let tip = this.tips.peek(streamId);
      if (!tip) {
        tip = await this.fetchTip(this.subjectOf(streamId));
        if (tip !== NO_STREAM) this.remember(streamId, tip);
      }
      if (tip.revision !== snapshot.revision) return false;
      this.nc.publish(snapshotSubject(this.options.prefix, streamId), snapshot.data, { headers: snapshotHeaders(tip) });
    } catch (err) {
      throw unavailableOr(err, `snapshot ${streamId}`);
    }
    return true;
  }

  /**
   * The snapshot and the stream's tip, got at once (one round); then, if the stream has moved on
   * since the snapshot, its newer commits (a second). The snapshot counts only if the commit
   * holding its revision is the one it names.
   */
  async readSnapshot(streamId: string): Promise<(StreamSnapshot & { events: StoredEvent[] }) | undefined> {
    try {
      const subject = this.subjectOf(streamId);
      const [msg, last] = await Promise.all([
        this.jsm.direct.getMessage(snapshotStreamName(this.options.prefix), { last_by_subj: snapshotSubject(this.options.prefix, streamId) }),
        this.lastCommit(subject),
      ]);
      const taken = msg && snapshotTipOf(msg);
      if (!last) return undefined;
      const tip = tipOf(last);
      this.remember(streamId, tip);
      if (!msg || !taken || tip.revision < taken.revision) return undefined;
      const events = (await this.readBackwards(last, taken.revision))?.events;
      if (!events || events[0]?.revision !== taken.revision || sequenceOf(events[0].position) !== taken.seq) return undefined;
      return { revision: taken.revision, data: msg.data, events };
    } catch (err) {
      throw unavailableOr(err, `read the snapshot of ${streamId}`);
    }
  }

  async headPosition(): Promise<number> {
    try {
      return await this.head();
    } catch (err) {
      throw unavailableOr(err, 'head position');
    }
  }

  private async head(): Promise<number> {
    const info = await this.jsm.streams.info(this.streamName);
    const last = info.state.last_seq;
    if (last === 0) return 0;
    const msg = await this.jsm.direct.getMessage(this.streamName, { seq: last });
    if (!msg) return positionOf(last, 0);
    return decodeCommit(msg.seq, msg.data).at(-1)!.position;
  }

  async close(): Promise<void> {
    this.tips.clear();
  }
}
