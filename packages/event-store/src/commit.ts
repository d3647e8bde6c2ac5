import type { NewEvent } from '@topdog/contracts';
import type { StoredEvent } from './event-store';
import { rememberHash } from './hash-chain';
import { positionOf } from './position';

/**
 * One append is one commit: its events, each with its revision, as one JSON document. The
 * JetStream adapter stores a commit as one message, so an append is all-or-nothing on any server
 * version; the in-memory adapter keeps the same bytes, so both read events back alike.
 */
type CommitEvent = NewEvent & { revision: number };

interface Commit {
  v: 1;
  streamId: string;
  events: CommitEvent[];
  /** The last event's hash as its writer linked it (commits written before it was kept lack it). */
  lastHash?: string;
}

export function encodeCommit(streamId: string, firstRevision: number, events: readonly NewEvent[], lastHash?: string | null): Uint8Array {
  const commit: Commit = {
    v: 1,
    streamId,
    events: events.map((e, i) => ({ ...e, revision: firstRevision + i })),
    ...(lastHash ? { lastHash } : {}),
  };
  return new TextEncoder().encode(JSON.stringify(commit));
}

/**
 * The hash its writer gave the event at `index`: the next event's `prevHash`, or the commit's
 * `lastHash` for its last event.
 */
function writtenHash(commit: Commit, index: number): unknown {
  const next = commit.events[index + 1];
  return next ? (next.metadata as { prevHash?: unknown } | undefined)?.prevHash : commit.lastHash;
}

export function decodeCommit(seq: number, payload: Uint8Array): StoredEvent[] {
  const commit = JSON.parse(new TextDecoder().decode(payload)) as Commit;
  return commit.events.map((e, index) => {
    const event: StoredEvent = {
      id: e.id,
      type: e.type,
      streamId: commit.streamId,
      revision: e.revision,
      position: positionOf(seq, index),
      occurredAt: e.occurredAt,
      correlationId: e.correlationId,
      causationId: e.causationId,
      actor: e.actor,
      schemaVersion: e.schemaVersion,
      metadata: e.metadata ?? {},
      data: e.data,
    };
    const hash = writtenHash(commit, index);
    if (typeof hash === 'string') rememberHash(event, hash);
    return event;
  });
}
