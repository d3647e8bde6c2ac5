import type { NatsConnection } from '@nats-io/transport-node';
import { ALL_PROJECTS, inScope, PUBLICATIONS, REQUESTS, type AnyEnvelope, type ProjectScope } from '@topdog/contracts';
import { auditRecord, type EventStore } from '@topdog/event-store';
import { request, subscribe } from '@topdog/runtime';
import { LRUCache } from 'lru-cache';
import type { SseWriter } from './sse-writer';

export interface FeedFilter {
  /** Deliver events after this position (exclusive). */
  after: number;
  /** Event types to deliver (and `token` for live token deltas); all when absent. */
  types: ReadonlySet<string> | undefined;
}

export interface EventFeedsDeps {
  store: EventStore;
  nc: NatsConnection;
  prefix: string;
  requestTimeoutMs: number;
}

/**
 * Live event streams for SSE clients. Each stream reads the event store from the client's
 * position with one ordered consumer, which catches up and then follows live in a single
 * sequence: no gap and no duplicate at the seam, and a client resuming with Last-Event-ID gets
 * exactly what follows it. Token deltas (never stored) come from the live NATS subject.
 */
export function createEventFeeds(deps: EventFeedsDeps) {
  const { store, nc, prefix } = deps;
  // Bounded by count through maxSize: with `max`, lru-cache would allocate room for every entry up front.
  const projects = new LRUCache<string, string>({ maxSize: 100_000, sizeCalculation: () => 1 });

  const wanted = (filter: FeedFilter, type: string) => !filter.types || filter.types.has(type);

  /** The project of a workflow: from its WorkflowInitialized when seen, else from the projector. */
  async function projectOf(event: AnyEnvelope): Promise<string | undefined> {
    const workflowId = (event.data as { workflowId?: string }).workflowId;
    if (!workflowId) return undefined;
    if (event.type === 'WorkflowInitialized') projects.set(workflowId, (event.data as { projectId: string }).projectId);
    const known = projects.get(workflowId);
    if (known !== undefined) return known;
    const status = await request(nc, prefix, REQUESTS.workflowStatus, { workflowId, projects: [ALL_PROJECTS] }, deps.requestTimeoutMs).catch(() => undefined);
    if (status) projects.set(workflowId, status.projectId);
    return status?.projectId;
  }

  /** Stored events, sent no faster than the client takes them: a slow client slows its stream, it is not cut off. */
  async function pump(events: AsyncIterable<AnyEnvelope>, sse: SseWriter, filter: FeedFilter, keep?: (e: AnyEnvelope) => Promise<boolean>) {
    for await (const event of events) {
      if (sse.isClosed) break;
      if (!wanted(filter, event.type)) continue;
      if (keep && !(await keep(event))) continue;
      const drained = sse.whenDrained();
      if (drained) await drained;
      if (!sse.send(event.type, auditRecord(event), String(event.position))) break;
    }
  }

  return {
    /** One workflow's history after `filter.after`, then live, with token deltas. */
    async workflow(workflowId: string, filter: FeedFilter, sse: SseWriter, signal: AbortSignal): Promise<void> {
      const tokens = wanted(filter, 'token') ? subscribe(nc, prefix, PUBLICATIONS.tokenDelta, [workflowId], (delta) => sse.send('token', delta)) : undefined;
      try {
        await pump(store.subscribeToAll({ fromPosition: filter.after, filter: { streamId: `workflow-${workflowId}` }, signal }), sse, filter);
      } finally {
        tokens?.unsubscribe();
      }
    },

    /**
     * Every workflow's events after `filter.after`, then live, of the caller's projects only (an
     * event whose project cannot be established is not sent); optionally one project's only.
     */
    async all(filter: FeedFilter & { projectId?: string; projects: ProjectScope }, sse: SseWriter, signal: AbortSignal): Promise<void> {
      const everyProject = filter.projects.includes(ALL_PROJECTS);
      const keep =
        filter.projectId === undefined && everyProject
          ? undefined
          : async (e: AnyEnvelope) => {
              const project = await projectOf(e);
              return project !== undefined && inScope(filter.projects, project) && (filter.projectId === undefined || project === filter.projectId);
            };
      await pump(store.subscribeToAll({ fromPosition: filter.after, filter: { category: 'workflow' }, signal }), sse, filter, keep);
    },
  };
}
export type EventFeeds = ReturnType<typeof createEventFeeds>;
