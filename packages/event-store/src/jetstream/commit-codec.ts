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

/**
 * The sequences of the stream's earlier commits, oldest first and comma-separated: the last
 * `EARLIER_SEQUENCES_MAX` of them (the newest is the previous-sequence header's). A reader gets
 * them all at once, one round trip instead of one per commit (nats-server 2.9 has no batch
 * get), then follows the links from the oldest listed. Absent where the list is not known
 * (a commit after one written before the list existed) and on a stream's first commit.
 */
export const EARLIER_SEQUENCES_HEADER = 'Topdog-Earlier-Seqs';
export const EARLIER_SEQUENCES_MAX = 64;

/** The sequences an earlier-sequences header lists, or undefined where it is absent or malformed. */
export function parseEarlierSequences(value: string): number[] | undefined {
  if (value === '') return undefined;
  const seqs = value.split(',').map(Number);
  return seqs.every((seq) => Number.isSafeInteger(seq) && seq > 0) ? seqs : undefined;
}

export const eventTypesOf = (events: readonly { type: string }[]): string => [...new Set(events.map((e) => e.type))].join(',');
