import { phaseBefore, type WorkflowEnvelope, type WorkflowPrompts } from '@topdog/contracts';
import type { PromptContext } from '@topdog/prompts';

/** A prompt context with the revision of the last event folded into it. */
export interface PromptView {
  context: PromptContext;
  revision: number;
  /** Roughly what the view holds, in bytes of JSON: what a memory-bounded cache counts. */
  bytes: number;
}

/** The settings and names around the requirements and answers. */
const FIXED_BYTES = 400;
const jsonBytes = (value: unknown) => (value === undefined ? 0 : JSON.stringify(value).length);
/**
 * What a view's prompts add: a workflow's own (custom) texts in full; the library's are shared by
 * every view that records them (the prompt cache interns them), so only their reference counts.
 */
const promptBytes = (prompts: WorkflowPrompts | undefined) =>
  Object.values(prompts ?? {}).reduce((sum, p) => sum + 100 + (p.source === 'custom' ? p.text.length : 0), 0);

/** The prompt read model: settings, requirements and every completed phase's answer. Pure. */
export function evolvePromptView(view: PromptView | undefined, event: WorkflowEnvelope): PromptView | undefined {
  switch (event.type) {
    case 'WorkflowInitialized': {
      const d = event.data;
      return {
        revision: event.revision,
        bytes: FIXED_BYTES + jsonBytes(d.requirements) + promptBytes(d.prompts),
        context: {
          workflowId: d.workflowId,
          state: d.initialState,
          model: d.model,
          models: d.models,
          temperature: d.temperature,
          maxTokens: d.maxTokens,
          requirements: d.requirements,
          phases: [],
          prompts: d.prompts,
        },
      };
    }
    case 'PhaseCompleted': {
      if (!view) return view;
      const d = event.data;
      return {
        revision: event.revision,
        bytes: view.bytes + FIXED_BYTES / 4 + d.aiResponse.length + jsonBytes(d.phaseResult),
        context: {
          ...view.context,
          state: d.newState,
          phases: [...view.context.phases, { phase: d.phase, role: d.role, aiResponse: d.aiResponse, phaseResult: d.phaseResult }],
          feedback: [],
        },
      };
    }
    case 'PhaseRejected': {
      if (!view) return view;
      const d = event.data;
      const feedback = [...(view.context.feedback ?? []), { kind: 'rejected' as const, from: d.phase, answer: d.rejectedResponse, comment: d.comment }];
      return {
        revision: event.revision,
        bytes: view.bytes + d.rejectedResponse.length + d.comment.length,
        context: { ...view.context, feedback },
      };
    }
    case 'PhaseSentBack': {
      if (!view) return view;
      const d = event.data;
      // The superseded answers leave the prompt: only the phases before the re-opened one remain.
      return {
        revision: event.revision,
        bytes: view.bytes + d.reason.length,
        context: {
          ...view.context,
          state: d.toPhase,
          phases: view.context.phases.filter((p) => phaseBefore(p.phase, d.toPhase)),
          feedback: [{ kind: 'sent_back', from: d.fromState, answer: null, comment: d.reason }],
        },
      };
    }
    case 'WorkflowCancelled':
      return view && { ...view, revision: event.revision, context: { ...view.context, state: 'CANCELLED' } };
    case 'ApprovalRequested':
    case 'PhaseApproved':
      // A held answer enters the prompts only when its phase completes (PhaseCompleted).
      return view && { ...view, revision: event.revision };
    case 'WorkflowCompleted':
      return view && { ...view, revision: event.revision, context: { ...view.context, state: 'COMPLETE' } };
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
