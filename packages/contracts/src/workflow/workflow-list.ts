import * as z from 'zod';
import { ProjectScope } from '../identity';
import { WorkflowStateName } from '../phases';
import { WorkflowId } from './ids';

/** The most workflows one page holds, and how many when the caller does not say. */
export const LIST_LIMIT_MAX = 500;
export const LIST_LIMIT_DEFAULT = 50;

/**
 * Where a page of the listing ends: the last workflow's place in the order, newest first by
 * creation time, then by workflow id (both descending). Creation time never changes, so a
 * workflow's place never moves and the next page starts exactly after it.
 */
export const ListPosition = z.object({ createdAt: z.iso.datetime(), workflowId: WorkflowId });
export type ListPosition = z.infer<typeof ListPosition>;

/** One workflow as a listing shows it: the status read model's latest values. */
export const WorkflowSummary = z.object({
  workflowId: WorkflowId,
  projectId: z.string(),
  buildId: z.string().nullable(),
  /** Null for workflows whose status was stored before it carried the user (a rebuild fills it). */
  userId: z.string().nullable(),
  currentState: WorkflowStateName,
  progress: z.number().min(0).max(1),
  model: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  costUsd: z.number().nonnegative(),
});
export type WorkflowSummary = z.infer<typeof WorkflowSummary>;

/**
 * A page of workflows, newest first, only in the caller's projects. Filters combine with AND;
 * `createdAfter` and `createdBefore` are exclusive. `after` continues a listing.
 */
export const ListWorkflows = z.object({
  /** The caller's projects (`["*"]`: all); the gateway fills it from the caller's identity. */
  projects: ProjectScope,
  projectId: z.string().min(1).max(200).optional(),
  state: WorkflowStateName.optional(),
  model: z.string().min(1).max(200).optional(),
  createdAfter: z.iso.datetime({ offset: true }).optional(),
  createdBefore: z.iso.datetime({ offset: true }).optional(),
  limit: z.number().int().min(1).max(LIST_LIMIT_MAX).default(LIST_LIMIT_DEFAULT),
  after: ListPosition.optional(),
  /** Read-your-writes: answer once this global position is applied. */
  minPosition: z.number().int().nonnegative().optional(),
});
export type ListWorkflows = z.infer<typeof ListWorkflows>;

export const WorkflowPage = z.object({
  workflows: z.array(WorkflowSummary),
  /** Where the next page starts; null when this page is the last. */
  next: ListPosition.nullable(),
});
export type WorkflowPage = z.infer<typeof WorkflowPage>;

const Id = z.string().trim().min(1).max(200);

/**
 * `GET /api/ai-workflows?project_id=&state=&model=&created_after=&created_before=&limit=&cursor=`.
 * The cursor is opaque: the `next_cursor` of the page before.
 */
export const ListWorkflowsQuery = z.strictObject({
  project_id: Id.optional(),
  state: WorkflowStateName.optional(),
  model: Id.optional(),
  created_after: z.iso.datetime({ offset: true }).optional().meta({ description: 'Only workflows created after this instant (exclusive).' }),
  created_before: z.iso.datetime({ offset: true }).optional().meta({ description: 'Only workflows created before this instant (exclusive).' }),
  limit: z.coerce.number().int().min(1).max(LIST_LIMIT_MAX).default(LIST_LIMIT_DEFAULT),
  cursor: z
    .string()
    .max(400)
    .regex(/^[A-Za-z0-9_-]+$/, 'not a cursor this API returned')
    .optional()
    .meta({ description: 'The next_cursor of the previous page.' }),
});
export type ListWorkflowsQuery = z.infer<typeof ListWorkflowsQuery>;

export const WorkflowListItemBody = z.object({
  workflow_id: z.uuid(),
  project_id: z.string(),
  build_id: z.string().nullable(),
  user_id: z.string().nullable(),
  current_state: WorkflowStateName,
  progress: z.number(),
  model: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  cost_usd: z.number(),
});
export type WorkflowListItemBody = z.infer<typeof WorkflowListItemBody>;

export const WorkflowListResponse = z.object({
  workflows: z.array(WorkflowListItemBody),
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: z.string().nullable(),
});
export type WorkflowListResponse = z.infer<typeof WorkflowListResponse>;
