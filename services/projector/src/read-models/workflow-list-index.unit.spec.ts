import { randomUUID } from 'node:crypto';
import type { ListWorkflows, WorkflowSummary } from '@topdog/contracts';
import { describe, expect, it } from 'vitest';
import { WorkflowListIndex } from './workflow-list-index';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function summary(overrides: Partial<WorkflowSummary> & { createdAt: string }): WorkflowSummary {
  return {
    workflowId: randomUUID(),
    projectId: 'p1',
    buildId: null,
    userId: 'u',
    currentState: 'DISCOVERY',
    progress: 0,
    model: 'gpt-4',
    updatedAt: overrides.createdAt,
    costUsd: 0,
    ...overrides,
  };
}

type Query = Omit<ListWorkflows, 'minPosition'>;
const ALL: Query = { projects: ['*'], limit: 50 };

/** Every page of a listing, following `next`, as the workflow ids seen. */
function pageThrough(index: WorkflowListIndex, query: Query, between?: (page: number) => void): string[] {
  const seen: string[] = [];
  let after: Query['after'];
  for (let page = 0; page < 10_000; page++) {
    const result = index.page({ ...query, after });
    seen.push(...result.workflows.map((w) => w.workflowId));
    if (!result.next) return seen;
    after = result.next;
    between?.(page);
  }
  throw new Error('the listing did not end');
}

/** The expected order, computed the slow way: newest first, then workflow id descending. */
const newestFirst = (items: WorkflowSummary[]) =>
  [...items].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.workflowId < b.workflowId ? 1 : -1)).map((w) => w.workflowId);

function filled(items: WorkflowSummary[]): WorkflowListIndex {
  const index = new WorkflowListIndex();
  for (const item of items) index.upsert(item);
  return index;
}

// Two projects across a minute, with creation times shared by several workflows (ties on the id).
const items = Array.from({ length: 120 }, (_, i) =>
  summary({
    createdAt: at(Math.floor(i / 3)),
    projectId: i % 2 ? 'p1' : 'p2',
    model: i % 5 ? 'gpt-4' : 'claude',
    currentState: i % 4 ? 'DISCOVERY' : 'PLANNING',
  }),
);

describe('workflow listing index', () => {
  it('lists newest first, then by workflow id, with ties on creation time kept in one order', () => {
    expect(
      filled(items)
        .page({ ...ALL, limit: 500 })
        .workflows.map((w) => w.workflowId),
    ).toEqual(newestFirst(items));
  });

  it('loads many at once into the same index, whatever order they come in', () => {
    const loaded = new WorkflowListIndex();
    loaded.upsertAll([...items].reverse());
    expect(loaded.page({ ...ALL, limit: 500 }).workflows.map((w) => w.workflowId)).toEqual(newestFirst(items));
    expect(loaded.page({ ...ALL, projectId: 'p1', limit: 500 })).toEqual(filled(items).page({ ...ALL, projectId: 'p1', limit: 500 }));
  });

  it('pages through everything once with the cursor, for every page size', () => {
    const index = filled(items);
    for (const limit of [1, 2, 7, 50, 119, 120, 500]) expect(pageThrough(index, { ...ALL, limit })).toEqual(newestFirst(items));
  });

  it('ends with next null on the last page, also when it is exactly full', () => {
    const index = filled(items.slice(0, 10));
    expect(index.page({ ...ALL, limit: 10 }).next).toBeNull();
    expect(index.page({ ...ALL, limit: 9 }).next).not.toBeNull();
    expect(new WorkflowListIndex().page(ALL)).toEqual({ workflows: [], next: null });
  });

  it('applies every filter, combined, and pages through the filtered listing', () => {
    const index = filled(items);
    const cases: [Query, (w: WorkflowSummary) => boolean][] = [
      [{ ...ALL, projectId: 'p1' }, (w) => w.projectId === 'p1'],
      [{ ...ALL, state: 'PLANNING' }, (w) => w.currentState === 'PLANNING'],
      [{ ...ALL, model: 'claude' }, (w) => w.model === 'claude'],
      [{ ...ALL, createdAfter: at(10) }, (w) => w.createdAt > at(10)],
      [{ ...ALL, createdBefore: at(30) }, (w) => w.createdAt < at(30)],
      [
        { ...ALL, projectId: 'p2', model: 'gpt-4', state: 'DISCOVERY', createdAfter: at(5), createdBefore: at(35) },
        (w) => w.projectId === 'p2' && w.model === 'gpt-4' && w.currentState === 'DISCOVERY' && w.createdAt > at(5) && w.createdAt < at(35),
      ],
    ];
    for (const [query, keep] of cases) {
      const expected = newestFirst(items.filter(keep));
      expect(expected.length).toBeGreaterThan(0);
      expect(pageThrough(index, { ...query, limit: 4 })).toEqual(expected);
    }
  });

  it('takes instants with an offset, compared as instants', () => {
    const index = filled(items);
    const plusTwo = new Date(T0 + 10_000 + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    expect(pageThrough(index, { ...ALL, createdAfter: plusTwo })).toEqual(newestFirst(items.filter((w) => w.createdAt > at(10))));
  });

  it("shows only the caller's projects", () => {
    const index = filled([...items, summary({ createdAt: at(3), projectId: 'p3' })]);
    const inP1 = newestFirst(items.filter((w) => w.projectId === 'p1'));
    expect(pageThrough(index, { ...ALL, projects: ['p1'], limit: 7 })).toEqual(inP1);
    expect(pageThrough(index, { ...ALL, projects: ['p1', 'p2', 'p1'], limit: 7 })).toEqual(newestFirst(items));
    expect(index.page({ ...ALL, projects: ['p1'], projectId: 'p2' }).workflows).toEqual([]);
    expect(index.page({ ...ALL, projects: ['nobody'] }).workflows).toEqual([]);
    expect(pageThrough(index, { ...ALL, projects: ['p1'], projectId: 'p1' })).toEqual(inP1);
  });

  it('shows the latest summary of a workflow, in the place its creation gave it', () => {
    const index = filled(items);
    const first = items[60]!;
    index.upsert({ ...first, currentState: 'TESTING', progress: 0.5, updatedAt: at(500), costUsd: 0.25 });
    const page = index.page({ ...ALL, limit: 500 });
    expect(page.workflows.map((w) => w.workflowId)).toEqual(newestFirst(items));
    expect(page.workflows.find((w) => w.workflowId === first.workflowId)).toMatchObject({ currentState: 'TESTING', progress: 0.5, costUsd: 0.25 });
    expect(index.size).toBe(items.length);
  });

  it('holds the same listing whatever order the summaries came in (as a rebuild would)', () => {
    const shuffled = [...items].sort(() => Math.random() - 0.5);
    expect(filled(shuffled).page({ ...ALL, limit: 500 })).toEqual(filled(items).page({ ...ALL, limit: 500 }));
  });

  it('neither skips nor repeats a listed workflow while others are created and change between pages', () => {
    const index = filled(items);
    const before = newestFirst(items);
    let n = 0;
    const seen = pageThrough(index, { ...ALL, limit: 7 }, (page) => {
      // New workflows, some newer than everything and some (a late clock) among the listed ones.
      index.upsert(summary({ createdAt: at(100 + page) }));
      index.upsert(summary({ createdAt: at(40 - page), projectId: 'p2' }));
      const changed = items[(n += 13) % items.length]!;
      index.upsert({ ...changed, currentState: 'COMPLETE', progress: 1, updatedAt: at(200 + page) });
    });
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => before.includes(id))).toEqual(before);
  });

  it('forgets everything on clear', () => {
    const index = filled(items);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.page(ALL).workflows).toEqual([]);
    expect(index.page({ ...ALL, projectId: 'p1' }).workflows).toEqual([]);
  });
});
