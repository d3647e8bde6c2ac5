// Fills an event store fast and realistically: workflows cloned from one driven through the
// API (same event types, sizes and commit shapes), appended through our JetStream adapter with
// its expected-revision check and hash chain, their commits interleaved so that each workflow's events lie
// far apart in the stream, as they do when thousands of workflows run at once. Each clone's
// snapshot is the template's, as the orchestrator wrote it, made the clone's: an orchestrator
// that stopped (as the services do before the cold reads) wrote the snapshot of every workflow
// changed since its last, so a workflow at rest then has one at its last revision.
import { randomUUID } from 'node:crypto';
import { workflowStreamId, type NewEvent } from '@topdog/contracts';
import { chainEvents, sequenceOf, type EventStore, type StoredEvent } from '@topdog/event-store';
import { rebasedStateSnapshot } from '../../services/orchestrator/src/command-handling/state-snapshot';
import { inParallel } from '../load/measure';

/** One workflow's stream as a list of commits, each as its events were appended together, and its snapshot. */
export interface Template {
  workflowId: string;
  commits: NewEvent[][];
  events: number;
  /** The orchestrator's snapshot of it at its last revision, as JSON text. */
  snapshot: string;
}

/** Reads a workflow's stream back as its commits (events of one commit share a sequence), with the snapshot the orchestrator wrote of it. */
export async function templateOf(store: EventStore, workflowId: string): Promise<Template> {
  const streamId = workflowStreamId(workflowId);
  const stored = await store.readStream(streamId);
  const commits = new Map<number, NewEvent[]>();
  for (const { streamId: _s, revision: _r, position, ...event } of stored as (StoredEvent & Record<string, unknown>)[]) {
    const seq = sequenceOf(position);
    commits.set(seq, [...(commits.get(seq) ?? []), event]);
  }
  // Written when the orchestrator stopped (the caller stops it); a moment to be read back.
  const deadline = Date.now() + 10_000;
  let kept = await store.readSnapshot!(streamId);
  while (kept?.revision !== stored.at(-1)!.revision) {
    if (Date.now() > deadline) throw new Error(`the orchestrator wrote no snapshot of ${workflowId} at revision ${stored.at(-1)!.revision}`);
    await new Promise((r) => setTimeout(r, 50));
    kept = await store.readSnapshot!(streamId);
  }
  return { workflowId, commits: [...commits.values()], events: stored.length, snapshot: new TextDecoder().decode(kept.data) };
}

/** The template's commits for another workflow: its id everywhere, fresh event ids (each template event's id → the clone's). */
function cloneFor(template: Template, workflowId: string): { commits: NewEvent[][]; ids: Map<string, string> } {
  const json = JSON.stringify(template.commits).replaceAll(template.workflowId, workflowId);
  const ids = new Map<string, string>([[template.workflowId, workflowId]]);
  const commits = (JSON.parse(json) as NewEvent[][]).map((commit) =>
    commit.map((e) => {
      const id = randomUUID();
      ids.set(e.id, id);
      return { ...e, id };
    }),
  );
  return { commits, ids };
}

/** The template's snapshot made a clone's: its ids (the workflow's, its events'), its last event's position and hash. */
function snapshotFor(template: Template, ids: Map<string, string>, position: number, lastHash: string | null): Uint8Array {
  const text = template.snapshot.replace(new RegExp([...ids.keys()].join('|'), 'g'), (id) => ids.get(id)!);
  return rebasedStateSnapshot(new TextEncoder().encode(text), { position, lastHash });
}

/** How many workflows' commits are interleaved unless told otherwise: a workflow's commits lie that many commits apart. */
export const SEED_BATCH = 5_000;

export interface SeedOptions {
  workflows: number;
  /** Appends in flight at once. */
  concurrency?: number;
  /** Workflows whose commits are interleaved: commit k of all of them, then commit k+1. */
  batch?: number;
  onProgress?: (events: number) => void;
}

/** Appends `workflows` clones of the template; returns their ids. */
export async function seedWorkflows(store: EventStore, template: Template, options: SeedOptions): Promise<string[]> {
  const concurrency = options.concurrency ?? 128;
  const batch = options.batch ?? SEED_BATCH;
  const ids: string[] = [];
  let events = 0;
  for (let start = 0; start < options.workflows; start += batch) {
    const group = Array.from({ length: Math.min(batch, options.workflows - start) }, () => {
      const id = randomUUID();
      ids.push(id);
      return { id, ...cloneFor(template, id), revision: -1, position: 0, lastHash: null as string | null };
    });
    for (let k = 0; k < template.commits.length; k++) {
      await inParallel(group.length, concurrency, async (i) => {
        const w = group[i]!;
        // Linked as the orchestrator links what it appends, so the clones' chains verify.
        const streamId = workflowStreamId(w.id);
        const commit = chainEvents(w.lastHash, streamId, w.revision + 1, w.commits[k]!);
        const expectedRevision = w.revision < 0 ? 'no_stream' : w.revision;
        const result = await store.appendToStream(streamId, commit.events, { expectedRevision, lastHash: commit.lastHash });
        w.revision = result.nextRevision;
        w.position = result.position;
        w.lastHash = commit.lastHash;
        events += commit.events.length;
        if (k === template.commits.length - 1) {
          const snapshot = { revision: w.revision, data: snapshotFor(template, w.ids, w.position, w.lastHash) };
          if (!(await store.saveSnapshot!(streamId, snapshot))) throw new Error(`the snapshot of ${w.id} was not kept`);
        }
      });
      options.onProgress?.(events);
    }
  }
  return ids;
}
