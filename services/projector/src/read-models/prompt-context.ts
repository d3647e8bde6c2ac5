import type { WorkflowEnvelope } from '@topdog/contracts';
import type { PromptContext } from '@topdog/prompts';

/** A prompt context with the revision of the last event folded into it. */
export interface PromptView {
  context: PromptContext;
  revision: number;
}

/** The prompt read model: settings, requirements and every completed phase's answer. Pure. */
export function evolvePromptView(view: PromptView | undefined, event: WorkflowEnvelope): PromptView | undefined {
  switch (event.type) {
    case 'WorkflowInitialized': {
      const d = event.data;
      return {
        revision: event.revision,
        context: {
          workflowId: d.workflowId,
          state: d.initialState,
          model: d.model,
          temperature: d.temperature,
          maxTokens: d.maxTokens,
          requirements: d.requirements,
          phases: [],
        },
      };
    }
    case 'PhaseCompleted': {
      if (!view) return view;
      const d = event.data;
      return {
        revision: event.revision,
        context: {
          ...view.context,
          state: d.newState,
          phases: [...view.context.phases, { phase: d.phase, role: d.role, aiResponse: d.aiResponse, phaseResult: d.phaseResult }],
        },
      };
    }
    case 'WorkflowCompleted':
      return view && { revision: event.revision, context: { ...view.context, state: 'COMPLETE' } };
    case 'LlmCallRequested':
    case 'LlmCallSucceeded':
    case 'LlmCallFailed':
    case 'BudgetExceeded':
    case 'PhaseOutputRejected':
      // Model calls change no prompt until an answer completes its phase.
      return view && { ...view, revision: event.revision };
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
}
