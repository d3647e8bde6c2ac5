import { PHASE_OWNER, TopDogError, type CopiedFrom, type Phase, type WorkflowEvent } from '@topdog/contracts';
import { stateAfter, type StartedWorkflow } from './workflow.state';

/**
 * The workflow's open phase, for a command that answers or runs it: CONFLICT when there is none
 * (COMPLETE, CANCELLED) or when its answer waits for a person's approval.
 */
export function openPhase(state: StartedWorkflow, doing: string): Phase {
  if (state.status === 'cancelled' || state.current === 'CANCELLED') {
    throw new TopDogError('CONFLICT', `workflow is CANCELLED: there is nothing left to ${doing}`);
  }
  if (state.status === 'complete' || state.current === 'COMPLETE') {
    throw new TopDogError('CONFLICT', `workflow is already COMPLETE: there is no phase left to ${doing}`);
  }
  if (state.awaiting) {
    throw new TopDogError('CONFLICT', `the ${state.awaiting.phase} answer awaits approval: approve or reject it first`, [
      { field: 'workflow_id', reason: `${state.awaiting.phase} is waiting for approval (see status.awaiting_approval)` },
    ]);
  }
  return state.current;
}

/**
 * The events that complete the current phase with an answer already accepted (and the workflow
 * after the last). `copiedFrom` marks a fork's copy of its parent's answer.
 */
export function finishPhaseEvents(
  state: StartedWorkflow,
  phase: Phase,
  aiResponse: string,
  phaseResult: Record<string, unknown>,
  copiedFrom?: CopiedFrom,
): WorkflowEvent[] {
  const newState = stateAfter(phase);
  const nextRole = newState === 'COMPLETE' ? null : PHASE_OWNER[newState];
  const completed: WorkflowEvent = {
    type: 'PhaseCompleted',
    data: {
      workflowId: state.workflowId,
      phase,
      role: PHASE_OWNER[phase],
      aiResponse,
      phaseResult,
      previousState: phase,
      newState,
      nextRole,
      ...(copiedFrom ? { copiedFrom } : {}),
    },
  };
  if (newState !== 'COMPLETE') return [completed];
  return [completed, { type: 'WorkflowCompleted', data: { workflowId: state.workflowId, completedPhases: [...state.phases.map((p) => p.phase), phase] } }];
}

/**
 * The events an answer to the current phase produces: it completes the phase (and the workflow
 * after the last), or, when the phase is gated, ApprovalRequested holds it for a person.
 * `callId` names the model call that gave it (null: a client).
 */
export function completePhaseEvents(
  state: StartedWorkflow,
  aiResponse: string,
  phaseResult: Record<string, unknown>,
  callId: string | null = null,
): WorkflowEvent[] {
  const phase = openPhase(state, 'complete');
  if (state.settings.approvalRequired.includes(phase)) {
    return [{ type: 'ApprovalRequested', data: { workflowId: state.workflowId, phase, role: PHASE_OWNER[phase], aiResponse, phaseResult, callId } }];
  }
  return finishPhaseEvents(state, phase, aiResponse, phaseResult);
}
