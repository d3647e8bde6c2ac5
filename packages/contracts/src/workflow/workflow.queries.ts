import { z } from 'zod';
import { Phase, Role, WorkflowStateName } from '../phases';
import { replyOf } from '../reply';
import { WorkflowId } from './workflow.commands';

/**
 * Queries may name the global position a caller has seen written (read-your-writes):
 * the projector answers once it has applied that position, or fails as UNAVAILABLE.
 */
const consistency = { minPosition: z.number().int().nonnegative().optional() };

export const GetWorkflowStatus = z.object({ workflowId: WorkflowId, ...consistency });
export type GetWorkflowStatus = z.infer<typeof GetWorkflowStatus>;

export const WorkflowStatus = z.object({
  workflowId: WorkflowId,
  projectId: z.string(),
  currentState: WorkflowStateName,
  /** Completed phases / 6. */
  progress: z.number().min(0).max(1),
  completedPhases: z.array(Phase),
  nextRole: Role.nullable(),
  isComplete: z.boolean(),
  model: z.string(),
  /** Revision of the last event applied: the status's ETag. */
  revision: z.number().int().nonnegative(),
  position: z.number().int().nonnegative(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type WorkflowStatus = z.infer<typeof WorkflowStatus>;
export const GetWorkflowStatusReply = replyOf(WorkflowStatus);

export const GetAiPrompt = z.object({ workflowId: WorkflowId, ...consistency });
export type GetAiPrompt = z.infer<typeof GetAiPrompt>;

export const ChatMessage = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** Exactly what a model will be sent for the workflow's current phase. */
export const AiPrompt = z.object({
  workflowId: WorkflowId,
  state: WorkflowStateName,
  role: Role.nullable(),
  model: z.string(),
  messages: z.array(ChatMessage),
  temperature: z.number(),
  maxTokens: z.number().int(),
  /** Content hash of the role's prompt file. */
  promptVersion: z.string().nullable(),
});
export type AiPrompt = z.infer<typeof AiPrompt>;
export const GetAiPromptReply = replyOf(AiPrompt);
