import {
  NEXT_ACTION,
  PhaseCompleted,
  TopDogError,
  type CompletePhase,
  type CompletePhaseResult,
  type InitializeWorkflow,
  type InitializeWorkflowResult,
} from '@topdog/contracts';
import { resolveModel } from '@topdog/models';
import type { PromptLibrary } from '@topdog/prompts';
import { completePhase, initialize } from '../workflow/workflow.decide';
import type { WorkflowCommandHandler } from './workflow-command-handler';

/**
 * The orchestrator's use cases: each validates what the schema cannot, runs the decider
 * through the command handler, and shapes the reply.
 */
export function createWorkflowCommands(handler: WorkflowCommandHandler, prompts: PromptLibrary) {
  return {
    async initialize(command: InitializeWorkflow): Promise<InitializeWorkflowResult> {
      const model = resolveModel(command.data.model);
      if (!model.ok) throw new TopDogError('VALIDATION_FAILED', 'invalid request', [{ field: 'model', reason: model.reason }]);
      const outcome = await handler.handle(command.data.workflowId, { metadata: command.metadata }, (state) =>
        initialize(command.data, state),
      );
      return {
        workflowId: command.data.workflowId,
        initialState: 'DISCOVERY',
        systemPrompt: prompts.Q_ASSISTANT.text,
        nextAction: NEXT_ACTION.DISCOVERY,
        revision: outcome.revision,
        position: outcome.position,
      };
    },

    async completePhase(command: CompletePhase): Promise<CompletePhaseResult> {
      const { workflowId, expectedRevision } = command.data;
      const outcome = await handler.handle(workflowId, { metadata: command.metadata, expectedRevision }, (state) =>
        completePhase(command.data, state),
      );
      let transition: { previousState: CompletePhaseResult['previousState']; newState: CompletePhaseResult['newState']; nextRole: CompletePhaseResult['nextRole'] };
      if (outcome.kind === 'replayed') {
        if (outcome.outcome.kind !== 'phaseCompleted') {
          throw new TopDogError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used to initialize the workflow', [
            { field: 'Idempotency-Key', reason: 'already used with another endpoint' },
          ]);
        }
        transition = outcome.outcome;
      } else {
        transition = PhaseCompleted.parse(outcome.events[0]).data;
      }
      return {
        workflowId,
        previousState: transition.previousState,
        newState: transition.newState,
        nextRole: transition.nextRole,
        nextAction: NEXT_ACTION[transition.newState],
        isComplete: transition.newState === 'COMPLETE',
        revision: outcome.revision,
        position: outcome.position,
      };
    },
  };
}
export type WorkflowCommands = ReturnType<typeof createWorkflowCommands>;
