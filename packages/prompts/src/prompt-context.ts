import type { Phase, Role, WorkflowStateName } from '@topdog/contracts';

/** One completed phase as the next prompts see it. */
export interface CompletedPhase {
  phase: Phase;
  role: Role;
  aiResponse: string;
  phaseResult: Record<string, unknown>;
}

/** Everything a prompt is built from: the workflow's settings, context and history. */
export interface PromptContext {
  workflowId: string;
  state: WorkflowStateName;
  model: string;
  temperature: number;
  maxTokens: number;
  requirements: Record<string, unknown>;
  /** Completed phases, in order. A role's conversation history is its own entries here. */
  phases: CompletedPhase[];
}
