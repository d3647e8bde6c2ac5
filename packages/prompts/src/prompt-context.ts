import type { AnswerFormat, Phase, Role, RoleModels, WorkflowPrompts, WorkflowStateName } from '@topdog/contracts';

/** One completed phase as the next prompts see it. */
export interface CompletedPhase {
  phase: Phase;
  role: Role;
  aiResponse: string;
  phaseResult: Record<string, unknown>;
}

/**
 * A person's word on the open phase, for its owner's next prompt: a rejection (after the
 * rejected answer) or a send-back (the reason it was re-opened). Cleared when the phase completes.
 */
export interface PhaseFeedback {
  kind: 'rejected' | 'sent_back';
  /** The state the workflow was in when it was given (a send-back names where it came from). */
  from: WorkflowStateName;
  /** The rejected answer; null for a send-back (superseded answers are not fed into prompts). */
  answer: string | null;
  comment: string;
}

/** Everything a prompt is built from: the workflow's settings, context and history. */
export interface PromptContext {
  workflowId: string;
  state: WorkflowStateName;
  /** The default model; `models` replaces it for some roles' phases (absent: none). */
  model: string;
  models?: RoleModels;
  temperature: number;
  maxTokens: number;
  requirements: Record<string, unknown>;
  /** Completed phases, in order. A role's conversation history is its own entries here. */
  phases: CompletedPhase[];
  /** Reviewer feedback on the open phase, in order (absent: none). */
  feedback?: PhaseFeedback[];
  /** The role prompts the workflow recorded when it started (absent in older workflows: the current library's). */
  prompts?: WorkflowPrompts;
  /** How the answer is asked for (absent: fenced, what a caller running the model itself can follow). */
  answerFormat?: AnswerFormat;
}
