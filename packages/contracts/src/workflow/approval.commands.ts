import * as z from 'zod';
import { CommandMetadata } from '../envelope';
import { ProjectScope } from '../identity';
import { Phase, Role, WorkflowStateName } from '../phases';
import { CallId, WorkflowId } from './ids';

/** What every command of a person on a running workflow carries. */
const onWorkflow = {
  workflowId: WorkflowId,
  /** If-Match: the revision the caller saw; a mismatch writes nothing. */
  expectedRevision: z.number().int().nonnegative().optional(),
  /** The caller's projects: a workflow outside them is NOT_FOUND, like an unknown one. */
  projects: ProjectScope,
};

/** The id auto-advance gives the model call it requests next (chosen by the caller, so a retry names the same call). */
const nextCallId = { nextCallId: CallId };

/** Approves the answer a gated phase holds: the phase completes and the workflow moves on. */
export const ApprovePhase = z.object({
  type: z.literal('ApprovePhase'),
  data: z.object({ ...onWorkflow, ...nextCallId, comment: z.string().max(20_000).nullable() }),
  metadata: CommandMetadata,
});
export type ApprovePhase = z.infer<typeof ApprovePhase>;

/** Rejects the answer a gated phase holds: the phase opens again with the comment as reviewer feedback. */
export const RejectPhase = z.object({
  type: z.literal('RejectPhase'),
  data: z.object({ ...onWorkflow, ...nextCallId, comment: z.string().min(1).max(20_000) }),
  metadata: CommandMetadata,
});
export type RejectPhase = z.infer<typeof RejectPhase>;

/** Re-opens a phase before the current one; the answers from it on are superseded. */
export const SendBack = z.object({
  type: z.literal('SendBack'),
  data: z.object({ ...onWorkflow, ...nextCallId, toPhase: Phase, reason: z.string().min(1).max(20_000) }),
  metadata: CommandMetadata,
});
export type SendBack = z.infer<typeof SendBack>;

/** Ends the workflow for good. */
export const CancelWorkflow = z.object({
  type: z.literal('CancelWorkflow'),
  data: z.object({ ...onWorkflow, reason: z.string().min(1).max(20_000) }),
  metadata: CommandMetadata,
});
export type CancelWorkflow = z.infer<typeof CancelWorkflow>;

/** A rejection's or a send-back's result: the phase open again, and the model call auto-advance requested, if any. */
export const ReopenedResult = z.object({
  workflowId: WorkflowId,
  previousState: WorkflowStateName,
  newState: Phase,
  nextRole: Role,
  nextAction: z.string(),
  /** The phases whose answers no longer count (send-back), in order; empty for a rejection. */
  supersededPhases: z.array(Phase),
  callId: CallId.nullable(),
  revision: z.number().int(),
  position: z.number().int(),
});
export type ReopenedResult = z.infer<typeof ReopenedResult>;

export const CancelWorkflowResult = z.object({
  workflowId: WorkflowId,
  previousState: WorkflowStateName,
  revision: z.number().int(),
  position: z.number().int(),
});
export type CancelWorkflowResult = z.infer<typeof CancelWorkflowResult>;
