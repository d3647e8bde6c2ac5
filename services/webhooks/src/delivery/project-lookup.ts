import type { AnyEnvelope } from '@topdog/contracts';
import type { EventStore } from '@topdog/event-store';
import { LRUCache } from 'lru-cache';

/**
 * The project of an event's workflow: from its WorkflowInitialized (the event itself, or the
 * stream's first event, read through the event store), remembered in an LRU. A workflow's
 * project never changes, so a remembered one is never stale.
 */
export class ProjectLookup {
  // Bounded by count through maxSize: with `max`, lru-cache would allocate room for every entry up front.
  private readonly projects = new LRUCache<string, string>({ maxSize: 100_000, sizeCalculation: () => 1 });

  constructor(private readonly store: EventStore) {}

  async of(event: AnyEnvelope): Promise<string | undefined> {
    if (event.type === 'WorkflowInitialized') {
      const projectId = (event.data as { projectId: string }).projectId;
      this.projects.set(event.streamId, projectId);
      return projectId;
    }
    const known = this.projects.get(event.streamId);
    if (known !== undefined) return known;
    const [first] = await this.store.readStream(event.streamId, { maxCount: 1 });
    if (first?.type !== 'WorkflowInitialized') return undefined;
    const projectId = (first.data as { projectId: string }).projectId;
    this.projects.set(event.streamId, projectId);
    return projectId;
  }
}
