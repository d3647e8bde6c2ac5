import type { NewEvent } from '@topdog/contracts';
import type { StoredEvent } from '../event-store';
import { positionOf } from '../position';

/**
 * One append is one JetStream message (a commit), so it is all-or-nothing on any server
 * version. Events are numbered from the commit's sequence (`../position.ts`, shared with the
 * in-memory adapter; re-exported for this adapter's modules).
 */
export { MAX_EVENTS_PER_APPEND, POSITION_STRIDE, positionOf, sequenceOf } from '../position';

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

/** Header carrying the revision of a commit's last event, so it is read without the payload. */
export const LAST_REVISION_HEADER = 'Topdog-Last-Revision';

/** Header listing a commit's event types, so a consumer can skip commits without decoding them. */
export const EVENT_TYPES_HEADER = 'Topdog-Event-Types';

/**
 * The sequence of the stream's previous commit (0 for its first). Commits link back to one
 * another, so a stream is read from its tip by direct gets of known sequences: a subject
 * search (`next_by_subj`) costs a scan of the stream's blocks on nats-server 2.9.
 */
export const PREVIOUS_SEQUENCE_HEADER = 'Topdog-Previous-Seq';

export const eventTypesOf = (events: readonly { type: string }[]): string => [...new Set(events.map((e) => e.type))].join(',');
