import type { RecordedPrompt } from '@topdog/contracts';
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

/**
 * Role prompts every instance holds (the prompt library it started with), by `version:sha256`:
 * a snapshot names these instead of carrying their text (some 3.5 KB of the bundled ones, most of
 * a typical snapshot). A prompt outside it (a workflow's own) is carried whole.
 */
export type KnownPrompts = ReadonlyMap<string, RecordedPrompt>;

export const knownPrompts = (prompts: Iterable<RecordedPrompt>): KnownPrompts => new Map([...prompts].map((p) => [promptKey(p), p]));

const promptKey = (p: RecordedPrompt) => `${p.version}:${p.sha256}`;
const same = (a: RecordedPrompt, b: RecordedPrompt) => a.version === b.version && a.sha256 === b.sha256 && a.text === b.text && a.source === b.source;

/** A recorded prompt as a snapshot holds it: named where every instance knows it, else whole. */
type EncodedPrompt = RecordedPrompt | { ref: string };

interface Encoded {
  v: number;
  state: Workflow | (Omit<Extract<Workflow, { prompts: unknown }>, 'prompts'> & { prompts?: Record<string, EncodedPrompt> });
  position: number;
  lastHash: string | null;
}

const STARTED = new Set(['active', 'complete', 'cancelled']);

/** A folded workflow as its snapshot's bytes. */
export function encodeStateSnapshot({ state, position, lastHash }: FoldedWorkflow, known: KnownPrompts = new Map()): Uint8Array {
  let encodedState: Encoded['state'] = state;
  if (state.status !== 'empty' && state.prompts) {
    const prompts = Object.fromEntries(
      Object.entries(state.prompts).map(([role, p]): [string, EncodedPrompt] => {
        const held = known.get(promptKey(p));
        return [role, held && same(held, p) ? { ref: promptKey(p) } : p];
      }),
    );
    encodedState = { ...state, prompts };
  }
  const encoded: Encoded = { v: STATE_SNAPSHOT_VERSION, state: encodedState, position, lastHash };
  return Buffer.from(JSON.stringify(encoded));
}

/**
 * The folded workflow a snapshot holds; undefined for one of another version, one naming a
 * prompt this instance does not know, or not a snapshot at all.
 */
export function decodeStateSnapshot(data: Uint8Array, known: KnownPrompts = new Map()): FoldedWorkflow | undefined {
  const decoded = parse(data);
  const { v, state, position, lastHash } = decoded ?? {};
  if (v !== STATE_SNAPSHOT_VERSION || !state || !STARTED.has(state.status) || !Number.isSafeInteger(position)) return undefined;
  if (lastHash !== null && typeof lastHash !== 'string') return undefined;
  if (!('prompts' in state) || !state.prompts) return { state: state as Workflow, position: position!, lastHash };
  const prompts: Record<string, RecordedPrompt> = {};
  for (const [role, p] of Object.entries(state.prompts)) {
    const prompt = 'ref' in p ? known.get(p.ref) : p;
    if (!prompt) return undefined;
    prompts[role] = prompt;
  }
  return { state: { ...state, prompts: prompts } as Workflow, position: position!, lastHash };
}

/** The same snapshot taken at another position and hash (the bench's clones of one workflow): nothing else in it is read. */
export function rebasedStateSnapshot(data: Uint8Array, at: { position: number; lastHash: string | null }): Uint8Array {
  const decoded = parse(data);
  if (!decoded) throw new Error('not a snapshot');
  return Buffer.from(JSON.stringify({ ...decoded, ...at }));
}

function parse(data: Uint8Array): Partial<Encoded> | undefined {
  try {
    return (JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as Partial<Encoded> | null) ?? undefined;
  } catch {
    return undefined;
  }
}
