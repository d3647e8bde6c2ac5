import type { AuditRecordBody } from '@topdog/contracts';
import type { StoredEvent } from './event-store';
import { eventHash } from './hash-chain';

/**
 * One audit record: every envelope field in the API's snake_case, and the event's own hash. The
 * gateway's audit endpoints answer it, and the webhooks service posts it (one shape for both).
 */
export function auditRecord(e: StoredEvent): AuditRecordBody {
  return {
    id: e.id,
    type: e.type,
    stream_id: e.streamId,
    revision: e.revision,
    position: e.position,
    occurred_at: e.occurredAt,
    actor: e.actor,
    correlation_id: e.correlationId,
    causation_id: e.causationId,
    schema_version: e.schemaVersion,
    metadata: e.metadata,
    data: e.data,
    // Computed, not the hash its writer recorded: a client checking the links sees a changed event.
    hash: eventHash(e),
  };
}
