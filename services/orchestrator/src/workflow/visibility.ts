import { inScope, TopDogError, type ProjectScope } from '@topdog/contracts';
import type { StartedWorkflow, Workflow } from './workflow.state';

/**
 * The workflow a caller's command is about, when it exists and belongs to one of the caller's
 * projects; otherwise NOT_FOUND, the same answer for both, so another project's ids reveal nothing.
 */
export function visibleTo(projects: ProjectScope, workflowId: string, state: Workflow): StartedWorkflow {
  if (state.status === 'empty' || !inScope(projects, state.projectId)) {
    throw new TopDogError('NOT_FOUND', `workflow ${workflowId} not found`);
  }
  return state;
}
