import { requireVisible, type ProjectScope } from '@topdog/contracts';
import type { StartedWorkflow, Workflow } from './workflow.state';

/**
 * The workflow a caller's command is about, when it exists and belongs to one of the caller's
 * projects; otherwise NOT_FOUND, the same answer for both, so another project's ids reveal nothing.
 */
export function visibleTo(projects: ProjectScope, workflowId: string, state: Workflow): StartedWorkflow {
  return requireVisible(projects, workflowId, state.status === 'empty' ? undefined : state);
}
