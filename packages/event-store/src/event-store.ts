import type { AnyEnvelope, NewEvent } from '@topdog/contracts';

/** An event as stored: its envelope with revision (in its stream) and position (global). */
export type StoredEvent = AnyEnvelope;

/**
 * What the writer believes about the stream: its last revision, that it does not exist yet,
 * or nothing (`any`).
 */
export type ExpectedRevision = number | 'no_stream' | 'any';

export interface AppendResult {
  /** Revision of the last event appended. */
  nextRevision: number;
  /**
   * Position of the last event appended. The append's earlier events have smaller positions; by
   * how much is the store's business (consecutive on JetStream, byte offsets on KurrentDB).
   */
  position: number;
}

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
  /**
   * The hash of the last event as the writer linked it (`chainEvents`' `lastHash`). An adapter
   * that can stores it with the commit, so the writer links its next append to the hash as
   * written (`hashOf`) rather than one recomputed from a stored event; the others' readers compute it.
   */
  lastHash?: string | null;
}

export interface ReadStreamOptions {
  fromRevision?: number;
  maxCount?: number;
}

export interface SubscribeToAllOptions {
  /** Deliver events after this position (exclusive); from the start when absent. */
  fromPosition?: number;
  /** Only streams of one category (`workflow` for `workflow-<id>`), or one stream. */
  filter?: { category: string } | { streamId: string };
  signal?: AbortSignal;
}

/**
 * A writer's snapshot of one stream: its own encoding (`data`) of what it folded from the
 * stream's events up to `revision`. The store keeps the last one saved; it is derived data, so
 * a reader checks it as it would a cache entry, and one lost or out of date costs only a read.
 */
export interface StreamSnapshot {
  revision: number;
  data: Uint8Array;
}

/**
 * The event store port. Appends are all-or-nothing and checked against the expected
 * revision; reads and subscriptions return events in order.
 */
export interface EventStore {
  appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** Catch-up then live, until the signal aborts or the caller stops iterating. */
  subscribeToAll(options?: SubscribeToAllOptions): AsyncIterable<StoredEvent>;
  /** Position of the last event stored (0 when the store is empty). */
  headPosition(): Promise<number>;
  /**
   * Optional (the JetStream and in-memory adapters): sends a snapshot of a stream, at the
   * stream's last revision as this adapter knows it (read again where it has forgotten it).
   * Returns whether it was sent: not when that revision is not the snapshot's (the stream moved
   * on), nor when it is too large for the bus.
   */
  saveSnapshot?(streamId: string, snapshot: StreamSnapshot): Promise<boolean>;
  /**
   * Optional: the stream's last snapshot kept, checked against the stream as stored now, with
   * the stream's events from the snapshot's revision on (`events[0]` is the event it was taken
   * at, whose hash the snapshot's must match; the rest came after). Undefined where there is
   * none, or the stream does not hold the snapshot's revision where the snapshot says (the
   * stream was recreated or restored since).
   */
  readSnapshot?(streamId: string): Promise<(StreamSnapshot & { events: StoredEvent[] }) | undefined>;
  close(): Promise<void>;
}

/** The stream's revision was not the one expected: nothing was written. */
export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream' | 'unknown',
    options?: { cause?: unknown },
  ) {
    super(`stream ${streamId}: expected revision ${expected}, found ${actual}`, options);
  }
}

/** The append does not fit in one message of the server's size limit: nothing was written. */
export class AppendTooLargeError extends Error {
  override readonly name = 'AppendTooLargeError';
  constructor(
    readonly streamId: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`append to ${streamId} is ${bytes} bytes, over the ${limit}-byte message limit`);
  }
}

/**
 * A subscription's source stopped delivering: nothing came, not even the backend's heartbeat,
 * while the subscriber waited. Subscribe again from the last position received.
 */
export class SubscriptionStalledError extends Error {
  override readonly name = 'SubscriptionStalledError';
  constructor(readonly silentForMs: number) {
    super(`the subscription delivered nothing, not even a heartbeat, for ${silentForMs} ms`);
  }
}

/**
 * The store did not answer (no connection, a time-out, no leader for the stream): the
 * operation's outcome is unknown, and trying again later is safe (an append is de-duplicated by
 * its first event's id).
 */
export class EventStoreUnavailableError extends Error {
  override readonly name = 'EventStoreUnavailableError';
  constructor(operation: string, options?: { cause?: unknown }) {
    super(`the event store did not answer (${operation})`, options);
  }
}

/** A stream id the store cannot hold (must be `<category>-<id>` with subject-safe characters). */
export class InvalidStreamIdError extends Error {
  override readonly name = 'InvalidStreamIdError';
  constructor(readonly streamId: string) {
    super(`invalid stream id "${streamId}": expected <category>-<id> of letters, digits, _ and -`);
  }
}

export const STREAM_ID_PATTERN = /^([a-z][a-z0-9_]*)-([A-Za-z0-9_-]+)$/;
