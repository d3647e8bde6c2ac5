import { DiscardPolicy, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { allSnapshotsSubject, snapshotStreamName } from '@topdog/contracts';

/**
 * The snapshots' stream: one message per event stream (the last kept), each with where in the
 * event stream it was taken, so that a reader checks it against the stream as stored. Snapshots of workflows idle longer than `SNAPSHOT_MAX_AGE_MS` expire: a command
 * on one then folds its events, as without snapshots.
 */
export const SNAPSHOT_MAX_AGE_MS = 7 * 24 * 3_600_000;

/** The revision a snapshot was taken at. */
const SNAPSHOT_REVISION_HEADER = 'Topdog-Snapshot-Revision';
/** The sequence of the commit holding that revision: the event stream's tip when it was taken. */
const SNAPSHOT_TIP_SEQUENCE_HEADER = 'Topdog-Snapshot-Tip-Seq';

/** Where in the event stream a snapshot was taken: a revision, and the sequence of the commit holding it. */
export interface SnapshotTip {
  revision: number;
  seq: number;
}

/** Creates the snapshots' stream, or brings its settings up to date. */
export async function ensureSnapshotStream(jsm: JetStreamManager, prefix: string, replicas: number): Promise<void> {
  const config = {
    name: snapshotStreamName(prefix),
    subjects: [allSnapshotsSubject(prefix)],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_msgs_per_subject: 1,
    max_age: SNAPSHOT_MAX_AGE_MS * 1_000_000,
    num_replicas: replicas,
    allow_direct: true,
  };
  try {
    await jsm.streams.info(config.name);
    await jsm.streams.update(config.name, config);
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
    await jsm.streams.add(config);
  }
}

/** The headers a snapshot taken at `tip` is kept with. */
export function snapshotHeaders(tip: SnapshotTip): MsgHdrs {
  const h = natsHeaders();
  h.set(SNAPSHOT_REVISION_HEADER, String(tip.revision));
  h.set(SNAPSHOT_TIP_SEQUENCE_HEADER, String(tip.seq));
  return h;
}

/** How many bytes `snapshotHeaders` adds to a message, at most, for the bus's size limit. */
export const SNAPSHOT_HEADER_BYTES = SNAPSHOT_REVISION_HEADER.length + SNAPSHOT_TIP_SEQUENCE_HEADER.length + 64;

/** The tip a stored snapshot was taken at; undefined where its headers are not a snapshot's. */
export function snapshotTipOf(msg: StoredMsg): SnapshotTip | undefined {
  const revision = Number(msg.header.get(SNAPSHOT_REVISION_HEADER) || Number.NaN);
  const seq = Number(msg.header.get(SNAPSHOT_TIP_SEQUENCE_HEADER) || Number.NaN);
  if (!Number.isSafeInteger(revision) || revision < 0 || !Number.isSafeInteger(seq) || seq <= 0) return undefined;
  return { revision, seq };
}
