import { z } from 'zod';
import { CommandMetadata } from '../envelope';
import { Role, WorkflowStateName } from '../phases';
import { replyOf } from '../reply';

export const WorkflowId = z.uuid();

/** Starts a workflow in DISCOVERY. The id is chosen by the caller (the gateway). */
export const InitializeWorkflow = z.object({
  type: z.literal('InitializeWorkflow'),
  data: z.object({
    workflowId: WorkflowId,
    projectId: z.string().min(1).max(200),
    buildId: z.string().min(1).max(200).nullable(),
    userId: z.string().min(1).max(200),
    requirements: z.record(z.string(), z.unknown()),
    model: z.string().min(1).max(200),
    temperature: z.number().min(0).max(2),
    maxTokens: z.number().int().min(1).max(1_000_000),
  }),
  metadata: CommandMetadata,
});
export type InitializeWorkflow = z.infer<typeof InitializeWorkflow>;

export const InitializeWorkflowResult = z.object({
  workflowId: WorkflowId,
  initialState: z.literal('DISCOVERY'),
  systemPrompt: z.string(),
  nextAction: z.string(),
  revision: z.number().int(),
  position: z.number().int(),
});
export type InitializeWorkflowResult = z.infer<typeof InitializeWorkflowResult>;
export const InitializeWorkflowReply = replyOf(InitializeWorkflowResult);

/**
 * Records the current phase owner's answer and advances the workflow.
 * `expectedState` / `expectedRevision` make it conditional: a mismatch writes nothing.
 */
export const CompletePhase = z.object({
  type: z.literal('CompletePhase'),
  data: z.object({
    workflowId: WorkflowId,
    aiResponse: z.string(),
    phaseResult: z.record(z.string(), z.unknown()),
    expectedState: WorkflowStateName.optional(),
    expectedRevision: z.number().int().nonnegative().optional(),
  }),
  metadata: CommandMetadata,
});
export type CompletePhase = z.infer<typeof CompletePhase>;

export const CompletePhaseResult = z.object({
  workflowId: WorkflowId,
  previousState: WorkflowStateName,
  newState: WorkflowStateName,
  nextRole: Role.nullable(),
  nextAction: z.string(),
  isComplete: z.boolean(),
  revision: z.number().int(),
  position: z.number().int(),
});
export type CompletePhaseResult = z.infer<typeof CompletePhaseResult>;
export const CompletePhaseReply = replyOf(CompletePhaseResult);

export const WorkflowCommand = z.discriminatedUnion('type', [InitializeWorkflow, CompletePhase]);
export type WorkflowCommand = z.infer<typeof WorkflowCommand>;
