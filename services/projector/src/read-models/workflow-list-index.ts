import { ALL_PROJECTS, type ListPosition, type ListWorkflows, type WorkflowPage, type WorkflowSummary } from '@topdog/contracts';

/** A place in the listing's order: creation time, then workflow id. */
interface ListKey {
  readonly createdMs: number;
  readonly workflowId: string;
}

/** A workflow's entry: its key is fixed at creation, its summary follows the latest status. */
interface Slot extends ListKey {
  summary: WorkflowSummary;
}

/** Ascending by creation time, then workflow id (ids are unique, so no two keys are equal). */
function compareKeys(a: ListKey, b: ListKey): number {
  if (a.createdMs !== b.createdMs) return a.createdMs - b.createdMs;
  return a.workflowId < b.workflowId ? -1 : a.workflowId > b.workflowId ? 1 : 0;
}

const keyOf = (p: ListPosition): ListKey => ({ createdMs: Date.parse(p.createdAt), workflowId: p.workflowId });

/**
 * Slots in ascending key order, read from the end (newest first). New workflows are nearly
 * always the newest, so an insert is an append; one that belongs further down (a replay, or
 * workflows created in the same millisecond on several instances) waits among the late ones
 * until the slots are next read, and all of them are then sorted in at once. A rebuild inserts
 * a whole store's workflows in the order their events come, before any query is answered: one
 * sort, not a splice each.
 */
class SortedSlots {
  private ordered: Slot[] = [];
  private late: Slot[] = [];

  insert(slot: Slot): void {
    const last = this.ordered.at(-1);
    if (last === undefined || compareKeys(last, slot) < 0) this.ordered.push(slot);
    else this.late.push(slot);
  }

  get slots(): readonly Slot[] {
    if (this.late.length > 0) this.settle();
    return this.ordered;
  }

  clear(): void {
    this.ordered = [];
    this.late = [];
  }

  /** The index of the first slot whose key is not below `key` (the length when none is). */
  firstAtOrAbove(key: ListKey): number {
    const slots = this.slots;
    let lo = 0;
    let hi = slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(slots[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Merges the late slots into their places: one sort of the late, one pass over both. */
  private settle(): void {
    const late = this.late.sort(compareKeys);
    this.late = [];
    const merged = new Array<Slot>(this.ordered.length + late.length);
    let i = 0;
    let j = 0;
    for (let k = 0; k < merged.length; k++) {
      merged[k] = j >= late.length || (i < this.ordered.length && compareKeys(this.ordered[i]!, late[j]!) < 0) ? this.ordered[i++]! : late[j++]!;
    }
    this.ordered = merged;
  }
}

/**
 * The listing's index: every workflow's summary, in the listing's order, overall and per
 * project. Pure and in memory; fed with every status the projection writes, so it holds the
 * same summaries whatever order they came in (a rebuild produces the same index).
 *
 * A page starts below the cursor (and `createdBefore`) by binary search and walks down to
 * `createdAfter`, skipping what the state and model filters reject: a project filter or a
 * scope of named projects walks only those projects' entries. A workflow's key never changes,
 * so a workflow created while a caller pages either lands above the cursor (not seen by this
 * listing) or below it (seen once): no entry is skipped or repeated.
 */
export class WorkflowListIndex {
  private readonly byId = new Map<string, Slot>();
  private readonly all = new SortedSlots();
  private readonly byProject = new Map<string, SortedSlots>();
  /** One copy of each project, user, model and state name: summaries read from JSON each bring their own. */
  private readonly names = new Map<string, string>();

  get size(): number {
    return this.byId.size;
  }

  /** Adds a workflow, or replaces its summary (its place stays where its creation put it). */
  upsert(fromStatus: WorkflowSummary): void {
    const summary = this.shared(fromStatus);
    const known = this.byId.get(summary.workflowId);
    if (known) {
      known.summary = summary;
      return;
    }
    const slot: Slot = { createdMs: Date.parse(summary.createdAt), workflowId: summary.workflowId, summary };
    this.byId.set(slot.workflowId, slot);
    this.all.insert(slot);
    let project = this.byProject.get(summary.projectId);
    if (!project) this.byProject.set(summary.projectId, (project = new SortedSlots()));
    project.insert(slot);
  }

  /**
   * Adds many at once (the statuses read back at start): in creation order, so that each
   * insert is an append, whatever order they came in (KV gives them by last update).
   */
  upsertAll(summaries: WorkflowSummary[]): void {
    const keyed = summaries.map((summary) => ({ createdMs: Date.parse(summary.createdAt), workflowId: summary.workflowId, summary }));
    for (const { summary } of keyed.sort(compareKeys)) this.upsert(summary);
  }

  clear(): void {
    this.names.clear();
    this.byId.clear();
    this.all.clear();
    this.byProject.clear();
  }

  page(query: Omit<ListWorkflows, 'minPosition'>): WorkflowPage {
    const below = this.upperBound(query);
    const afterMs = query.createdAfter === undefined ? -Infinity : Date.parse(query.createdAfter);
    const found: Slot[] = [];
    // Each source's first limit + 1 matches hold the union's first limit + 1.
    for (const source of this.sources(query)) {
      let taken = 0;
      const slots = source.slots;
      for (let i = source.firstAtOrAbove(below) - 1; i >= 0 && taken <= query.limit; i--) {
        const slot = slots[i]!;
        if (slot.createdMs <= afterMs) break;
        if (query.state !== undefined && slot.summary.currentState !== query.state) continue;
        if (query.model !== undefined && slot.summary.model !== query.model) continue;
        found.push(slot);
        taken++;
      }
    }
    found.sort((a, b) => compareKeys(b, a));
    const page = found.slice(0, query.limit);
    const last = page.at(-1);
    return {
      workflows: page.map((s) => s.summary),
      next: found.length > query.limit && last ? { createdAt: last.summary.createdAt, workflowId: last.workflowId } : null,
    };
  }

  private shared(summary: WorkflowSummary): WorkflowSummary {
    const name = <T extends string | null>(value: T): T => {
      if (value === null) return value;
      const known = this.names.get(value);
      if (known !== undefined) return known as T;
      this.names.set(value, value);
      return value;
    };
    return {
      ...summary,
      projectId: name(summary.projectId),
      userId: name(summary.userId),
      model: name(summary.model),
      currentState: name(summary.currentState),
    };
  }

  /** The key every listed workflow lies below: the cursor's, or `createdBefore`'s if lower. */
  private upperBound(query: Pick<ListWorkflows, 'after' | 'createdBefore'>): ListKey {
    let bound: ListKey = { createdMs: Infinity, workflowId: '' };
    if (query.createdBefore !== undefined) bound = { createdMs: Date.parse(query.createdBefore), workflowId: '' };
    if (query.after) {
      const after = keyOf(query.after);
      if (compareKeys(after, bound) < 0) bound = after;
    }
    return bound;
  }

  /** Whose entries to walk: one project, the scope's projects, or all. */
  private sources(query: Pick<ListWorkflows, 'projects' | 'projectId'>): SortedSlots[] {
    const everything = query.projects.includes(ALL_PROJECTS);
    if (query.projectId !== undefined) {
      const project = everything || query.projects.includes(query.projectId) ? this.byProject.get(query.projectId) : undefined;
      return project ? [project] : [];
    }
    if (everything) return [this.all];
    return [...new Set(query.projects)].flatMap((id) => this.byProject.get(id) ?? []);
  }
}
