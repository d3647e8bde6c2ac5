import {
  modelsByRole,
  TopDogError,
  type ApprovePhase,
  type CancelWorkflow,
  type CompletePhase,
  type InitializeWorkflow,
  type RejectPhase,
  type RunPhase,
  type SendBack,
  type WorkflowEvent,
} from '@topdog/contracts';
import { approvePhase, cancelWorkflow, rejectPhase, sendBack } from './approval.decide';
import { withOverrides } from '@topdog/prompts';
import type { DecisionContext } from './decision-context';
import { checkModel, checkProvider, recordLlmResult, requestCall, runPhase, type RecordLlmResultData } from './llm-calls.decide';
import { completePhaseEvents } from './phase-completion';
import { forkWorkflow, type ForkDecision } from './fork.decide';
import { visibleTo } from './visibility';
import { evolve, type StartedWorkflow, type Workflow } from './workflow.state';

/** Commands as the decider sees them: their data (metadata is the handler's concern). */
export type WorkflowDecision =
  | { type: 'InitializeWorkflow'; data: InitializeWorkflow['data'] }
  | { type: 'CompletePhase'; data: CompletePhase['data'] }
  | { type: 'RunPhase'; data: RunPhase['data'] }
  | { type: 'RecordLlmResult'; data: RecordLlmResultData }
  | { type: 'ApprovePhase'; data: ApprovePhase['data'] }
  | { type: 'RejectPhase'; data: RejectPhase['data'] }
  | { type: 'SendBack'; data: SendBack['data'] }
  | { type: 'CancelWorkflow'; data: CancelWorkflow['data'] }
  | { type: 'ForkWorkflow'; data: ForkDecision };

/** Starts a workflow; with auto-advance, also requests DISCOVERY's model call. */
export function initialize(command: InitializeWorkflow['data'], state: Workflow, context: DecisionContext): WorkflowEvent[] {
  if (state.status !== 'empty') {
    throw new TopDogError('CONFLICT', `workflow ${command.workflowId} already exists`);
  }
  checkModel(command.model, command.budget);
  for (const [role, name] of Object.entries(command.models ?? {})) checkModel(name, command.budget, { field: `models.${role}` });
  for (const [role, chain] of Object.entries(command.fallbackModels ?? {})) {
    chain.forEach((name, i) => checkModel(name, command.budget, { field: `fallback_models.${role}.${i}` }));
  }
  if (command.autoAdvance) {
    // Every model the run will call must be callable: better refused now than stopped at a later phase.
    for (const name of new Set(Object.values(modelsByRole(command.model, command.models)))) checkProvider(name, context);
    if (!command.firstCallId) throw new TopDogError('VALIDATION_FAILED', 'invalid command', [{ field: 'firstCallId', reason: 'required with autoAdvance' }]);
  }
  const initialized: WorkflowEvent = {
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
      autoAdvance: command.autoAdvance,
      budget: command.budget,
      approvalRequired: command.approvalRequired ?? [],
      prompts: withOverrides(context.prompts, command.rolePrompts),
      models: command.models ?? {},
      fallbackModels: command.fallbackModels ?? {},
    },
  };
  if (!command.autoAdvance || !command.firstCallId) return [initialized];
  const started = evolve(state, initialized) as StartedWorkflow;
  return [initialized, requestCall(started, command.firstCallId, 'phase', context)];
}

/** Records the current phase owner's answer (given by a client) and advances the workflow. */
export function completePhase(command: CompletePhase['data'], workflow: Workflow): WorkflowEvent[] {
  const state = visibleTo(command.projects, command.workflowId, workflow);
  if (command.expectedState !== undefined && command.expectedState !== state.current) {
    throw new TopDogError('CONFLICT', `workflow is in ${state.current}, not ${command.expectedState}`, [
      { field: 'expected_state', reason: `the workflow is in ${state.current}` },
    ]);
  }
  return completePhaseEvents(state, command.aiResponse, command.phaseResult);
}

/** A decision to run on whatever state the command handler loads: how a command reaches `decide`. */
export const deciding =
  (command: WorkflowDecision, context: DecisionContext) =>
  (state: Workflow): WorkflowEvent[] =>
    decide(command, state, context);

/** The events a command produces in a state, or a typed error. Pure. */
export function decide(command: WorkflowDecision, state: Workflow, context: DecisionContext): WorkflowEvent[] {
  switch (command.type) {
    case 'InitializeWorkflow':
      return initialize(command.data, state, context);
    case 'CompletePhase':
      return completePhase(command.data, state);
    case 'RunPhase':
      return runPhase(command.data, state, context);
    case 'RecordLlmResult':
      return recordLlmResult(command.data, state, context);
    case 'ApprovePhase':
      return approvePhase(command.data, state, context);
    case 'RejectPhase':
      return rejectPhase(command.data, state, context);
    case 'SendBack':
      return sendBack(command.data, state, context);
    case 'CancelWorkflow':
      return cancelWorkflow(command.data, state);
    case 'ForkWorkflow':
      return forkWorkflow(command.data, state, context);
    default: {
      const unexpected: never = command;
      return unexpected;
    }
  }
}
