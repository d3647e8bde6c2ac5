/**
 * One append is one JetStream message holding its commit (`../commit.ts`), so it is
 * all-or-nothing on any server version. Events are numbered from the message's sequence
 * (`../position.ts`). Both are shared with the in-memory adapter and re-exported for this
 * adapter's modules; the headers below are this adapter's own.
 */
export { decodeCommit, encodeCommit } from '../commit';
export { MAX_EVENTS_PER_APPEND, POSITION_STRIDE, positionOf, sequenceOf } from '../position';

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
