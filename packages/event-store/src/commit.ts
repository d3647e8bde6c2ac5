import type { NewEvent } from '@topdog/contracts';
import type { StoredEvent } from './event-store';
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
}

export function encodeCommit(streamId: string, firstRevision: number, events: readonly NewEvent[]): Uint8Array {
  const commit: Commit = {
    v: 1,
    streamId,
    events: events.map((e, i) => ({ ...e, revision: firstRevision + i })),
  };
  return new TextEncoder().encode(JSON.stringify(commit));
}

export function decodeCommit(seq: number, payload: Uint8Array): StoredEvent[] {
  const commit = JSON.parse(new TextDecoder().decode(payload)) as Commit;
  return commit.events.map((e, index) => ({
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
  }));
}
