import {
  PHASE_OWNER,
  TopDogError,
  type CompletePhase,
  type InitializeWorkflow,
  type WorkflowEvent,
} from '@topdog/contracts';
import { stateAfter, type Workflow } from './workflow.state';

/** Commands as the decider sees them: their data (metadata is the handler's concern). */
export type WorkflowDecision =
  | { type: 'InitializeWorkflow'; data: InitializeWorkflow['data'] }
  | { type: 'CompletePhase'; data: CompletePhase['data'] };

export function initialize(command: InitializeWorkflow['data'], state: Workflow): WorkflowEvent[] {
  if (state.status !== 'empty') {
    throw new TopDogError('CONFLICT', `workflow ${command.workflowId} already exists`);
  }
  return [
    {
      type: 'WorkflowInitialized',
      data: {
        workflowId: command.workflowId,
        projectId: command.projectId,
        buildId: command.buildId,
        userId: command.userId,
        requirements: command.requirements,
        model: command.model,
        temperature: command.temperature,
        maxTokens: command.maxTokens,
        initialState: 'DISCOVERY',
      },
    },
  ];
}

export function completePhase(command: CompletePhase['data'], state: Workflow): WorkflowEvent[] {
  if (state.status === 'empty') {
    throw new TopDogError('NOT_FOUND', `workflow ${command.workflowId} not found`);
  }
  if (command.expectedState !== undefined && command.expectedState !== state.current) {
    throw new TopDogError('CONFLICT', `workflow is in ${state.current}, not ${command.expectedState}`, [
      { field: 'expected_state', reason: `the workflow is in ${state.current}` },
    ]);
  }
  if (state.status === 'complete') {
    throw new TopDogError('CONFLICT', 'workflow is already COMPLETE: there is no phase left to complete');
  }
  const phase = state.current;
  if (phase === 'COMPLETE') throw new TopDogError('CONFLICT', 'workflow is already COMPLETE');
  const newState = stateAfter(phase);
  const nextRole = newState === 'COMPLETE' ? null : PHASE_OWNER[newState];
  const completed: WorkflowEvent = {
    type: 'PhaseCompleted',
    data: {
      workflowId: command.workflowId,
      phase,
      role: PHASE_OWNER[phase],
      aiResponse: command.aiResponse,
      phaseResult: command.phaseResult,
      previousState: phase,
      newState,
      nextRole,
    },
  };
  if (newState !== 'COMPLETE') return [completed];
  return [
    completed,
    { type: 'WorkflowCompleted', data: { workflowId: command.workflowId, completedPhases: [...state.completed, phase] } },
  ];
}

/** The events a command produces in a state, or a typed error. Pure. */
export function decide(command: WorkflowDecision, state: Workflow): WorkflowEvent[] {
  switch (command.type) {
    case 'InitializeWorkflow':
      return initialize(command.data, state);
    case 'CompletePhase':
      return completePhase(command.data, state);
    default: {
      const unexpected: never = command;
      return unexpected;
    }
  }
}
