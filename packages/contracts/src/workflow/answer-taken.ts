import type { WorkflowEvent } from './workflow.events';

/**
 * Events after which a model's answer to the current phase is no longer there to accept: a new
 * call, the answer refused or held, the phase completed, rejected or sent back, the workflow
 * cancelled. The dashboard's Accept and the CLI's `accept` both go by it.
 */
const TAKERS: readonly WorkflowEvent['type'][] = [
  'LlmCallRequested',
  'PhaseOutputRejected',
  'ApprovalRequested',
  'PhaseRejected',
  'PhaseCompleted',
  'PhaseSentBack',
  'WorkflowCancelled',
];
export const TAKES_THE_ANSWER: ReadonlySet<string> = new Set(TAKERS);
