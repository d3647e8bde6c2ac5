import { DiscardPolicy, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { allSnapshotsSubject, snapshotStreamName } from '@topdog/contracts';
import { parseEarlierSequences } from './commit-codec';

/**
 * The snapshots' stream: one message per event stream (the last kept), each with the tip it was
 * taken at, so that a writer reading it knows where its next append goes without reading the
 * event stream. Snapshots of workflows idle longer than `SNAPSHOT_MAX_AGE_MS` expire: a command
 * on one then folds its events, as without snapshots.
 */
export const SNAPSHOT_MAX_AGE_MS = 7 * 24 * 3_600_000;

/** The revision a snapshot was taken at. */
const SNAPSHOT_REVISION_HEADER = 'Topdog-Snapshot-Revision';
/** The sequence of the commit holding that revision: the event stream's tip when it was taken. */
const SNAPSHOT_TIP_SEQUENCE_HEADER = 'Topdog-Snapshot-Tip-Seq';
/**
 * The tip commit's earlier commits (as `EARLIER_SEQUENCES_HEADER` lists them), `-` for none (a
 * stream of one commit); absent where they were not known.
 */
const SNAPSHOT_EARLIER_HEADER = 'Topdog-Snapshot-Earlier-Seqs';

/** A snapshot's tip in the event stream: as the adapter's own tips are kept. */
export interface SnapshotTip {
  revision: number;
  seq: number;
  /** The stream's earlier commits' sequences, as the tip's next commit lists them; undefined where not known. */
  earlier: readonly number[] | undefined;
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
  const earlier = earlierValue(tip);
  if (earlier !== undefined) h.set(SNAPSHOT_EARLIER_HEADER, earlier);
  return h;
}

const earlierValue = (tip: SnapshotTip): string | undefined => (tip.earlier === undefined ? undefined : tip.earlier.length === 0 ? '-' : tip.earlier.join(','));

/** How many bytes `snapshotHeaders` adds to a message, at most, for the bus's size limit. */
export const snapshotHeaderBytes = (tip: SnapshotTip): number =>
  SNAPSHOT_REVISION_HEADER.length + SNAPSHOT_TIP_SEQUENCE_HEADER.length + SNAPSHOT_EARLIER_HEADER.length + 64 + (earlierValue(tip)?.length ?? 0);

/** The tip a stored snapshot was taken at; undefined where its headers are not a snapshot's. */
export function snapshotTipOf(msg: StoredMsg): SnapshotTip | undefined {
  const revision = Number(msg.header.get(SNAPSHOT_REVISION_HEADER) || Number.NaN);
  const seq = Number(msg.header.get(SNAPSHOT_TIP_SEQUENCE_HEADER) || Number.NaN);
  if (!Number.isSafeInteger(revision) || revision < 0 || !Number.isSafeInteger(seq) || seq <= 0) return undefined;
  const listed = msg.header.get(SNAPSHOT_EARLIER_HEADER);
  return { revision, seq, earlier: listed === '-' ? [] : parseEarlierSequences(listed) };
}
