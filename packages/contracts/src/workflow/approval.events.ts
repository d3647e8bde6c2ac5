import * as z from 'zod';
import { Phase, Role, WorkflowStateName } from '../phases';
import { CallId, WorkflowId } from './ids';

/**
 * A gated phase was answered (by a client's complete-phase, or by a model under auto-advance):
 * the answer is held here until a person approves or rejects it; the phase is not done yet.
 */
export const ApprovalRequested = z.object({
  type: z.literal('ApprovalRequested'),
  data: z.object({
    workflowId: WorkflowId,
    phase: Phase,
    role: Role,
    /** The answer awaiting approval: the PhaseCompleted an approval writes carries it. */
    aiResponse: z.string(),
    phaseResult: z.record(z.string(), z.unknown()),
    /** The model call that gave the answer; null when a client completed the phase. */
    callId: CallId.nullable(),
  }),
});

/** A person approved the held answer: a PhaseCompleted (and WorkflowCompleted after the last) follows in the same append. */
export const PhaseApproved = z.object({
  type: z.literal('PhaseApproved'),
  data: z.object({ workflowId: WorkflowId, phase: Phase, role: Role, comment: z.string().nullable() }),
});

/**
 * A person rejected the held answer: the phase is open again, and the comment reaches the
 * role's next prompt for it as reviewer feedback, after the rejected answer.
 */
export const PhaseRejected = z.object({
  type: z.literal('PhaseRejected'),
  data: z.object({
    workflowId: WorkflowId,
    phase: Phase,
    role: Role,
    comment: z.string(),
    /** The answer rejected (also in the ApprovalRequested before). */
    rejectedResponse: z.string(),
  }),
});

/**
 * An earlier phase was re-opened: the answers of `supersededPhases` (it and every phase after it)
 * stay in the stream but no longer count: not in the status, not fed into prompts.
 */
export const PhaseSentBack = z.object({
  type: z.literal('PhaseSentBack'),
  data: z.object({
    workflowId: WorkflowId,
    fromState: Phase,
    toPhase: Phase,
    role: Role,
    reason: z.string(),
    supersededPhases: z.array(Phase),
    /** The model call running when sent back: its late result is recorded and changes nothing. */
    abandonedCallId: CallId.nullable(),
  }),
});

/** The workflow was cancelled: terminal. A running call's late result is still recorded. */
export const WorkflowCancelled = z.object({
  type: z.literal('WorkflowCancelled'),
  data: z.object({
    workflowId: WorkflowId,
    fromState: WorkflowStateName,
    reason: z.string(),
    abandonedCallId: CallId.nullable(),
  }),
});

export type ApprovalRequested = z.infer<typeof ApprovalRequested>;
export type PhaseApproved = z.infer<typeof PhaseApproved>;
export type PhaseRejected = z.infer<typeof PhaseRejected>;
export type PhaseSentBack = z.infer<typeof PhaseSentBack>;
export type WorkflowCancelled = z.infer<typeof WorkflowCancelled>;
