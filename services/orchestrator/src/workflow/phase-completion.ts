import { PHASE_OWNER, TopDogError, type WorkflowEvent } from '@topdog/contracts';
import { stateAfter, type StartedWorkflow } from './workflow.state';

/** The events that complete the current phase with its owner's answer (and the workflow after the last). */
export function completePhaseEvents(state: StartedWorkflow, aiResponse: string, phaseResult: Record<string, unknown>): WorkflowEvent[] {
  const phase = state.current;
  if (state.status === 'complete' || phase === 'COMPLETE') {
    throw new TopDogError('CONFLICT', 'workflow is already COMPLETE: there is no phase left to complete');
  }
  const newState = stateAfter(phase);
  const nextRole = newState === 'COMPLETE' ? null : PHASE_OWNER[newState];
  const completed: WorkflowEvent = {
    type: 'PhaseCompleted',
    data: { workflowId: state.workflowId, phase, role: PHASE_OWNER[phase], aiResponse, phaseResult, previousState: phase, newState, nextRole },
  };
  if (newState !== 'COMPLETE') return [completed];
  return [completed, { type: 'WorkflowCompleted', data: { workflowId: state.workflowId, completedPhases: [...state.phases.map((p) => p.phase), phase] } }];
}
