import { TopDogError, workflowStreamId, type AuditPageResponse, type ProjectScope, type AuditRecordBody, type VerifyResponse } from '@topdog/contracts';
import { auditRecord, verifyChain, type EventStore, type StoredEvent } from '@topdog/event-store';
import { assertVisible } from '../workflows/workflow-visibility';

/**
 * Audit replay and tamper checks, read straight from the event store (the gateway holds no
 * state; the store is the record).
 */
export function createAuditApi(store: EventStore) {
  async function read(workflowId: string, projects: ProjectScope, fromRevision = 0, maxCount?: number): Promise<StoredEvent[]> {
    await assertVisible(store, workflowId, projects);
    const events = await store.readStream(workflowStreamId(workflowId), { fromRevision, maxCount });
    if (events.length === 0 && fromRevision === 0) throw new TopDogError('NOT_FOUND', `workflow ${workflowId} not found`);
    return events;
  }

  return {
    /** A page of the audit trail, in revision order, and where the next page starts. */
    async page(workflowId: string, projects: ProjectScope, fromRevision: number, limit: number) {
      const events = await read(workflowId, projects, fromRevision, limit + 1);
      const page = events.slice(0, limit);
      return {
        workflow_id: workflowId,
        events: page.map(auditRecord),
        next_from_revision: events.length > limit ? events[limit]!.revision : null,
      } satisfies AuditPageResponse;
    },

    /** Every event from a revision on, one record at a time (for NDJSON). */
    async *records(workflowId: string, projects: ProjectScope, fromRevision: number): AsyncGenerator<AuditRecordBody> {
      for (const event of await read(workflowId, projects, fromRevision)) yield auditRecord(event);
    },

    /** Checks the stream's hash chain and names the first broken link. */
    async verify(workflowId: string, projects: ProjectScope) {
      const report = verifyChain(await read(workflowId, projects));
      return {
        workflow_id: workflowId,
        ok: report.ok,
        events: report.events,
        verified_links: report.verified,
        unchained_events: report.unchained,
        head_hash: report.headHash,
        first_broken: report.firstBroken && {
          revision: report.firstBroken.revision,
          event_id: report.firstBroken.eventId,
          expected_prev_hash: report.firstBroken.expected,
          found_prev_hash: report.firstBroken.found,
        },
      } satisfies VerifyResponse;
    },
  };
}
export type AuditApi = ReturnType<typeof createAuditApi>;
