import type * as KurrentDbClientModule from '@kurrent/kurrentdb-client';
import type { AppendStreamState, KurrentDBClient, ResolvedEvent } from '@kurrent/kurrentdb-client';
import type { NewEvent } from '@topdog/contracts';
import {
  AppendTooLargeError,
  EventStoreUnavailableError,
  InvalidStreamIdError,
  STREAM_ID_PATTERN,
  WrongExpectedRevisionError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeToAllOptions,
} from '../event-store';
import { MAX_EVENTS_PER_APPEND } from '../position';

export interface KurrentDbEventStoreOptions {
  /** `kurrentdb://host:2113?tls=false`, or a cluster's (`kurrentdb+discover://…`). */
  connectionString: string;
  /** The deployment's prefix: its streams are `<prefix>.<streamId>` in the database. */
  prefix: string;
  /** The largest append, in bytes of its events' JSON (KurrentDB's `MaxAppendSize`, 1 MiB by default). */
  maxAppendBytes?: number;
  /** Read streams from the cluster's leader whatever the connection string prefers: the writer's reads must see every append. */
  leaderReads?: boolean;
}

/** What an event's KurrentDB metadata holds: the envelope fields beside its type and data. */
interface StoredMetadata {
  occurredAt: string;
  correlationId: string;
  causationId: string | null;
  actor: string;
  schemaVersion: number;
  metadata: StoredEvent['metadata'];
}

/** The client library, loaded when a deployment chooses KurrentDB (it holds a native module the others never need). */
export type KurrentDb = typeof KurrentDbClientModule;
export const loadKurrentDb = (): Promise<KurrentDb> => import('@kurrent/kurrentdb-client');

/**
 * A client for the connection string. The client's own parse error quotes the string, which may
 * hold a password: a bad one is reported by the variable's name alone, with no cause attached.
 */
export function kurrentDbClient(kurrent: KurrentDb, connectionString: string): KurrentDBClient {
  try {
    return kurrent.KurrentDBClient.connectionString(connectionString);
  } catch {
    throw new Error('KURRENTDB_CONNECTION_STRING is not a KurrentDB connection string the client can read (kurrentdb://[user:password@]host:port?tls=false)');
  }
}

/**
 * The event store on KurrentDB (`EVENT_STORE=kurrentdb`), through `@kurrent/kurrentdb-client`.
 * Each workflow stream is a KurrentDB stream named `<prefix>.<streamId>`; an event keeps its id,
 * type and data, and carries the rest of its envelope as metadata. Revisions are KurrentDB's
 * stream revisions; positions are KurrentDB's commit positions in `$all` (see `positionOf`). An
 * append is one `appendToStream` checked with `streamState`, all-or-nothing, and a repeated one
 * (same event ids) is de-duplicated by the database.
 */
export class KurrentDbEventStore implements EventStore {
  private constructor(
    private readonly kurrent: KurrentDb,
    private readonly client: KurrentDBClient,
    private readonly options: KurrentDbEventStoreOptions,
  ) {}

  static async connect(options: KurrentDbEventStoreOptions): Promise<KurrentDbEventStore> {
    const kurrent = await loadKurrentDb();
    return new KurrentDbEventStore(kurrent, kurrentDbClient(kurrent, options.connectionString), options);
  }

  /** The database's name for a stream. */
  private nameOf(streamId: string): string {
    if (!STREAM_ID_PATTERN.test(streamId)) throw new InvalidStreamIdError(streamId);
    return `${this.options.prefix}.${streamId}`;
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], { expectedRevision }: AppendOptions): Promise<AppendResult> {
    if (events.length === 0 || events.length > MAX_EVENTS_PER_APPEND) {
      throw new RangeError(`an append holds 1 to ${MAX_EVENTS_PER_APPEND} events, not ${events.length}`);
    }
    const name = this.nameOf(streamId);
    const { jsonEvent, NO_STREAM, ANY, WrongExpectedVersionError, MaxAppendSizeExceededError } = this.kurrent;
    const data = events.map((e) =>
      jsonEvent({
        id: e.id,
        type: e.type,
        data: (e.data ?? {}) as Record<string, unknown>,
        metadata: {
          occurredAt: e.occurredAt,
          correlationId: e.correlationId,
          causationId: e.causationId,
          actor: e.actor,
          schemaVersion: e.schemaVersion,
          metadata: e.metadata,
        } satisfies StoredMetadata,
      }),
    );
    const bytes = Buffer.byteLength(JSON.stringify(events));
    const limit = this.options.maxAppendBytes ?? 1024 * 1024;
    if (bytes > limit) throw new AppendTooLargeError(streamId, bytes, limit);
    const streamState: AppendStreamState = expectedRevision === 'no_stream' ? NO_STREAM : expectedRevision === 'any' ? ANY : BigInt(expectedRevision);
    try {
      const result = await this.client.appendToStream(name, data, { streamState });
      const commit = result.position?.commit;
      // Without a position in the answer, the log's head: at or after this append, which is what a reader waits for.
      return { nextRevision: Number(result.nextExpectedRevision), position: known(commit) ? Number(commit) : await this.headPosition() };
    } catch (err) {
      if (err instanceof WrongExpectedVersionError) {
        const actual = typeof err.actualState === 'bigint' ? Number(err.actualState) : err.actualState === NO_STREAM ? 'no_stream' : 'unknown';
        throw new WrongExpectedRevisionError(streamId, expectedRevision, actual, { cause: err });
      }
      if (err instanceof MaxAppendSizeExceededError) throw new AppendTooLargeError(streamId, bytes, limit);
      throw unavailableOr(this.kurrent, err, `append to ${streamId}`);
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    const name = this.nameOf(streamId);
    const { START, FORWARDS, StreamNotFoundError } = this.kurrent;
    const events: StoredEvent[] = [];
    try {
      const reading = this.client.readStream(name, {
        fromRevision: options.fromRevision ? BigInt(options.fromRevision) : START,
        direction: FORWARDS,
        requiresLeader: this.options.leaderReads ?? false,
        ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
      });
      for await (const resolved of reading) events.push(envelopeOf(resolved, this.options.prefix));
    } catch (err) {
      if (err instanceof StreamNotFoundError) return [];
      throw unavailableOr(this.kurrent, err, `read ${streamId}`);
    }
    return events;
  }

  async *subscribeToAll(options: SubscribeToAllOptions = {}): AsyncGenerator<StoredEvent> {
    if (options.signal?.aborted) return;
    const { streamNameFilter, START } = this.kurrent;
    const filter = options.filter;
    const prefix = `${this.options.prefix}.`;
    const nameFilter = !filter
      ? streamNameFilter({ prefixes: [prefix] })
      : 'category' in filter
        ? streamNameFilter({ prefixes: [`${prefix}${filter.category}-`] })
        : streamNameFilter({ regex: `^${escapeRegex(this.nameOf(filter.streamId))}$` });
    const after = options.fromPosition ?? 0;
    const subscription = this.client.subscribeToAll({
      fromPosition: after > 0 ? { commit: BigInt(after), prepare: BigInt(after) } : START,
      filter: nameFilter,
    });
    const onAbort = () => void subscription.unsubscribe();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const resolved of subscription) {
        const event = envelopeOf(resolved, this.options.prefix);
        if (event.position > after) yield event;
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      await subscription.unsubscribe().catch(() => undefined);
    }
  }

  /** The commit position of the deployment's last event (system events and other deployments' streams do not count). */
  async headPosition(): Promise<number> {
    const { END, BACKWARDS, streamNameFilter } = this.kurrent;
    try {
      const reading = this.client.readAll({
        fromPosition: END,
        direction: BACKWARDS,
        maxCount: 1,
        filter: streamNameFilter({ prefixes: [`${this.options.prefix}.`] }),
      });
      for await (const resolved of reading) return positionOf(resolved);
      return 0;
    } catch (err) {
      throw unavailableOr(this.kurrent, err, 'head position');
    }
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}

/**
 * The client's failures that mean the database did not answer (no leader, no connection, a
 * deadline, a call cut short, an error its native reader could not name) as the port's
 * EventStoreUnavailableError: the caller's to retry (503), and what start-up waits out.
 */
export function unavailableOr(kurrent: KurrentDb, err: unknown, operation: string): unknown {
  const { UnavailableError, DeadlineExceededError, TimeoutError, NotLeaderError, CancelledError, UnknownError } = kurrent;
  const unavailable = [UnavailableError, DeadlineExceededError, TimeoutError, NotLeaderError, CancelledError, UnknownError].some((type) => err instanceof type);
  return unavailable ? new EventStoreUnavailableError(operation, { cause: err }) : err;
}

/** Our envelope from a KurrentDB event of a deployment's stream: its id, type and data, the rest from its metadata. */
export function envelopeOf(resolved: ResolvedEvent, prefix: string): StoredEvent {
  const event = resolved.event;
  if (!event) throw new Error('a KurrentDB read returned a link without its event');
  const meta = event.metadata as unknown as StoredMetadata;
  return {
    id: event.id,
    streamId: event.streamId.slice(prefix.length + 1),
    revision: Number(event.revision),
    position: positionOf(resolved),
    occurredAt: meta.occurredAt,
    correlationId: meta.correlationId,
    causationId: meta.causationId,
    actor: meta.actor,
    schemaVersion: meta.schemaVersion,
    metadata: meta.metadata ?? {},
    type: event.type,
    data: event.data,
  };
}

/** What KurrentDB sends for a position it does not know (a stream read may not carry the commit position). */
const UNKNOWN_POSITION = 2n ** 64n - 1n;
const known = (position: bigint | undefined): position is bigint => position !== undefined && position >= 0n && position < UNKNOWN_POSITION;

/**
 * An event's position: its commit position in `$all`, the byte offset at which KurrentDB committed
 * it, a number exact below 2^53 bytes of log. KurrentDB commits each event of an append on its own
 * record, so its commit position is also its prepare position; a stream read, which the database
 * answers from its index, may carry only the latter, and it stands in for the former. An append's
 * result carries its last event's commit position.
 */
export function positionOf(resolved: ResolvedEvent): number {
  const candidates = [resolved.commitPosition, resolved.event?.position?.commit, resolved.event?.position?.prepare];
  const position = candidates.find(known);
  if (position === undefined) throw new Error(`KurrentDB gave no position for event ${resolved.event?.id ?? '(a link)'}`);
  return Number(position);
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
