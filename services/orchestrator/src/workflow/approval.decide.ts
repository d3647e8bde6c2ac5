import {
  PHASE_OWNER,
  phaseBefore,
  PHASES,
  TopDogError,
  type ApprovePhase,
  type CancelWorkflow,
  type RejectPhase,
  type SendBack,
  type WorkflowEvent,
} from '@topdog/contracts';
import type { DecisionContext } from './decision-context';
import { thenRun } from './llm-calls.decide';
import { finishPhaseEvents } from './phase-completion';
import { visibleTo } from './visibility';
import { type AwaitingApproval, type StartedWorkflow, type Workflow } from './workflow.state';

/** Commands that change a cancelled workflow are refused: it is terminal. */
function notCancelled(state: StartedWorkflow, doing: string): void {
  if (state.status === 'cancelled') throw new TopDogError('CONFLICT', `workflow is CANCELLED: it cannot be ${doing}`);
}

/** The answer waiting for approval, or CONFLICT when nothing waits. */
function awaiting(state: StartedWorkflow, doing: string): AwaitingApproval {
  notCancelled(state, doing);
  if (!state.awaiting) {
    throw new TopDogError('CONFLICT', `nothing awaits approval: the workflow is in ${state.current}`, [
      { field: 'workflow_id', reason: 'no phase is waiting for approval (see status.awaiting_approval)' },
    ]);
  }
  return state.awaiting;
}

/** Approves the held answer: PhaseApproved, then the phase completes as any other (and the next phase's call under auto-advance). */
export function approvePhase(command: ApprovePhase['data'], workflow: Workflow, context: DecisionContext): WorkflowEvent[] {
  const state = visibleTo(command.projects, command.workflowId, workflow);
  const held = awaiting(state, 'approved');
  const approved: WorkflowEvent = {
    type: 'PhaseApproved',
    data: { workflowId: state.workflowId, phase: held.phase, role: PHASE_OWNER[held.phase], comment: command.comment },
  };
  return thenRun(state, [approved, ...finishPhaseEvents(state, held.phase, held.aiResponse, held.phaseResult)], command.nextCallId, context);
}

/** Rejects the held answer: the phase opens again with the comment as reviewer feedback (and runs again under auto-advance). */
export function rejectPhase(command: RejectPhase['data'], workflow: Workflow, context: DecisionContext): WorkflowEvent[] {
  const state = visibleTo(command.projects, command.workflowId, workflow);
  const held = awaiting(state, 'rejected');
  const rejected: WorkflowEvent = {
    type: 'PhaseRejected',
    data: { workflowId: state.workflowId, phase: held.phase, role: PHASE_OWNER[held.phase], comment: command.comment, rejectedResponse: held.aiResponse },
  };
  return thenRun(state, [rejected], command.nextCallId, context);
}

/**
 * Re-opens a phase before the current one: it and every later phase's answers are superseded,
 * the reason reaches its owner's next prompt, and a running call is abandoned.
 */
export function sendBack(command: SendBack['data'], workflow: Workflow, context: DecisionContext): WorkflowEvent[] {
  const state = visibleTo(command.projects, command.workflowId, workflow);
  notCancelled(state, 'sent back');
  if (state.status === 'complete' || state.current === 'COMPLETE' || state.current === 'CANCELLED') {
    throw new TopDogError('CONFLICT', 'workflow is already COMPLETE: it cannot be sent back', [{ field: 'to_phase', reason: 'the workflow is COMPLETE' }]);
  }
  const from = state.current;
  if (!phaseBefore(command.toPhase, from)) {
    throw new TopDogError('CONFLICT', `cannot send back to ${command.toPhase} from ${from}`, [
      { field: 'to_phase', reason: `must be a phase before ${from} (${PHASES.slice(0, PHASES.indexOf(from)).join(', ') || 'there is none'})` },
    ]);
  }
  const sentBack: WorkflowEvent = {
    type: 'PhaseSentBack',
    data: {
      workflowId: state.workflowId,
      fromState: from,
      toPhase: command.toPhase,
      role: PHASE_OWNER[command.toPhase],
      reason: command.reason,
      supersededPhases: state.phases.map((p) => p.phase).filter((p) => !phaseBefore(p, command.toPhase)),
      abandonedCallId: state.pendingCall?.callId ?? null,
    },
  };
  return thenRun(state, [sentBack], command.nextCallId, context);
}

/** Ends the workflow for good; a running call's late result will still be recorded, and change nothing. */
export function cancelWorkflow(command: CancelWorkflow['data'], workflow: Workflow): WorkflowEvent[] {
  const state = visibleTo(command.projects, command.workflowId, workflow);
  notCancelled(state, 'cancelled again');
  if (state.status === 'complete') throw new TopDogError('CONFLICT', 'workflow is already COMPLETE: it cannot be cancelled');
  return [
    {
      type: 'WorkflowCancelled',
      data: { workflowId: state.workflowId, fromState: state.current, reason: command.reason, abandonedCallId: state.pendingCall?.callId ?? null },
    },
  ];
}
