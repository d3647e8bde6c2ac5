import type { NatsConnection } from '@nats-io/transport-node';
import { REQUESTS, type ListWorkflowsQuery, type ProjectScope, type WorkflowListResponse } from '@topdog/contracts';
import { request } from '@topdog/runtime';
import { decodeCursor, encodeCursor } from './list-cursor';

export interface WorkflowListApiDeps {
  nc: NatsConnection;
  prefix: string;
  requestTimeoutMs: number;
}

/**
 * `GET /api/ai-workflows`: a page of the projector's listing in the API's snake_case. Reads
 * after a command see it without asking for a position: the command's reply waited until
 * the projectors had applied it.
 */
export function createWorkflowListApi(deps: WorkflowListApiDeps) {
  return {
    async list(query: ListWorkflowsQuery, projects: ProjectScope): Promise<WorkflowListResponse> {
      const page = await request(
        deps.nc,
        deps.prefix,
        REQUESTS.listWorkflows,
        {
          projects,
          projectId: query.project_id,
          state: query.state,
          model: query.model,
          createdAfter: query.created_after,
          createdBefore: query.created_before,
          limit: query.limit,
          after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
        },
        deps.requestTimeoutMs,
      );
      return {
        workflows: page.workflows.map((w) => ({
          workflow_id: w.workflowId,
          project_id: w.projectId,
          build_id: w.buildId,
          user_id: w.userId,
          current_state: w.currentState,
          progress: w.progress,
          model: w.model,
          created_at: w.createdAt,
          updated_at: w.updatedAt,
          cost_usd: Number(w.costUsd.toFixed(6)),
        })),
        next_cursor: page.next && encodeCursor(page.next),
      };
    },
  };
}
export type WorkflowListApi = ReturnType<typeof createWorkflowListApi>;
