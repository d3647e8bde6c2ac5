import { requireVisible, workflowStreamId, type ProjectScope } from '@topdog/contracts';
import type { EventStore } from '@topdog/event-store';

/**
 * Checks, before a read straight from the event store (audit, verify, live events), that the
 * workflow exists and belongs to one of the caller's projects: its first event, WorkflowInitialized,
 * names the project. Another project's workflow is NOT_FOUND, exactly as an unknown one.
 */
export async function assertVisible(store: EventStore, workflowId: string, projects: ProjectScope): Promise<void> {
  const [first] = await store.readStream(workflowStreamId(workflowId), { maxCount: 1 });
  const projectId = (first?.data as { projectId?: unknown } | undefined)?.projectId;
  requireVisible(projects, workflowId, typeof projectId === 'string' ? { projectId } : undefined);
}
