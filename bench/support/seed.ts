// Fills an event store fast and realistically: workflows cloned from one driven through the
// API (same event types, sizes and commit shapes), appended through our JetStream adapter with
// its expected-revision check and hash chain, their commits interleaved so that each workflow's events lie
// far apart in the stream, as they do when thousands of workflows run at once.
import { randomUUID } from 'node:crypto';
import { workflowStreamId, type NewEvent } from '@topdog/contracts';
import { chainEvents, sequenceOf, type EventStore, type StoredEvent } from '@topdog/event-store';
import { inParallel } from '../load/measure';

/** One workflow's stream as a list of commits, each as its events were appended together. */
export interface Template {
  workflowId: string;
  commits: NewEvent[][];
  events: number;
}

/** Reads a workflow's stream back as its commits (events of one commit share a sequence). */
export async function templateOf(store: EventStore, workflowId: string): Promise<Template> {
  const stored = await store.readStream(workflowStreamId(workflowId));
  const commits = new Map<number, NewEvent[]>();
  for (const { streamId: _s, revision: _r, position, ...event } of stored as (StoredEvent & Record<string, unknown>)[]) {
    const seq = sequenceOf(position);
    commits.set(seq, [...(commits.get(seq) ?? []), event]);
  }
  return { workflowId, commits: [...commits.values()], events: stored.length };
}

/** The template's commits for another workflow: its id everywhere, fresh event ids. */
function cloneFor(template: Template, workflowId: string): NewEvent[][] {
  const json = JSON.stringify(template.commits).replaceAll(template.workflowId, workflowId);
  return (JSON.parse(json) as NewEvent[][]).map((commit) => commit.map((e) => ({ ...e, id: randomUUID() })));
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
      return { id, commits: cloneFor(template, id), revision: -1, lastHash: null as string | null };
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
        w.lastHash = commit.lastHash;
        events += commit.events.length;
      });
      options.onProgress?.(events);
    }
  }
  return ids;
}
