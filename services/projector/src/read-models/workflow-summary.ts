import type { WorkflowStatus, WorkflowSummary } from '@topdog/contracts';

/** A workflow as the listing shows it: the status's latest values. Pure. */
export function summaryOf(status: WorkflowStatus): WorkflowSummary {
  return {
    workflowId: status.workflowId,
    projectId: status.projectId,
    buildId: status.buildId,
    userId: status.userId,
    currentState: status.currentState,
    progress: status.progress,
    model: status.model,
    createdAt: status.createdAt,
    updatedAt: status.updatedAt,
    costUsd: status.usage.total.costUsd,
  };
}
