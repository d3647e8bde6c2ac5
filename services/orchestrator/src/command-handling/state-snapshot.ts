import type { Workflow } from '../workflow/workflow.state';

/**
 * The version of what a snapshot holds: bump it whenever `Workflow`'s shape changes, or what
 * `evolve` makes of an event. A snapshot of another version is not read (the workflow's events
 * are folded instead), so instances of two versions side by side each decide on their own fold.
 * `state-snapshot.unit.spec.ts` fails when the shape changes and the version did not.
 */
export const STATE_SNAPSHOT_VERSION = 1;

/** A workflow as folded up to a revision: what its next append builds on. */
export interface FoldedWorkflow {
  state: Workflow;
  /** The position of its last event. */
  position: number;
  /** The hash of its last event, which the next one carries. */
  lastHash: string | null;
}

interface Encoded extends FoldedWorkflow {
  v: number;
}

const STARTED = new Set(['active', 'complete', 'cancelled']);

/** A folded workflow as its snapshot's bytes. */
export function encodeStateSnapshot({ state, position, lastHash }: FoldedWorkflow): Uint8Array {
  const encoded: Encoded = { v: STATE_SNAPSHOT_VERSION, state, position, lastHash };
  return Buffer.from(JSON.stringify(encoded));
}

/** The folded workflow a snapshot holds; undefined for one of another version, or not a snapshot at all. */
export function decodeStateSnapshot(data: Uint8Array): FoldedWorkflow | undefined {
  let decoded: Partial<Encoded>;
  try {
    decoded = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as Partial<Encoded>;
  } catch {
    return undefined;
  }
  const { v, state, position, lastHash } = decoded ?? {};
  if (v !== STATE_SNAPSHOT_VERSION || !state || !STARTED.has(state.status) || !Number.isSafeInteger(position)) return undefined;
  if (lastHash !== null && typeof lastHash !== 'string') return undefined;
  return { state, position: position!, lastHash };
}
