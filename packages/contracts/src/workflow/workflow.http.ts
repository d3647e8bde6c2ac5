import { z } from 'zod';
import { ChatMessage } from './workflow.queries';
import { Phase, Role, WorkflowStateName } from '../phases';

/**
 * The REST API's request and response bodies: the original system's shapes (snake_case),
 * kept exactly. Unknown fields are rejected so a misspelt field is named, not ignored.
 */
const Id = z.string().trim().min(1).max(200);

export const InitializeWorkflowRequest = z.strictObject({
  project_id: Id,
  build_id: Id.nullable().optional(),
  user_id: Id,
  requirements: z.record(z.string(), z.unknown()).default({}),
  model: z.string().trim().min(1).max(200).default('gpt-4'),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().min(1).max(1_000_000).optional(),
});
export type InitializeWorkflowRequest = z.infer<typeof InitializeWorkflowRequest>;

export const InitializeWorkflowResponse = z.object({
  workflow_id: z.uuid(),
  initial_state: z.literal('DISCOVERY'),
  system_prompt: z.string(),
  next_action: z.string(),
});

export const CompletePhaseRequest = z.strictObject({
  workflow_id: z.uuid(),
  ai_response: z.string().min(1),
  phase_result: z.record(z.string(), z.unknown()).default({}),
  /** Complete only if the workflow is in this state; otherwise 409 and nothing is written. */
  expected_state: WorkflowStateName.optional(),
});
export type CompletePhaseRequest = z.infer<typeof CompletePhaseRequest>;

export const CompletePhaseResponse = z.object({
  workflow_id: z.uuid(),
  previous_state: WorkflowStateName,
  new_state: WorkflowStateName,
  next_role: Role.nullable(),
  next_action: z.string(),
  is_complete: z.boolean(),
});

export const WorkflowIdParams = z.strictObject({ workflow_id: z.uuid() });

export const WorkflowStatusResponse = z.object({
  workflow_id: z.uuid(),
  current_state: WorkflowStateName,
  progress: z.number(),
  completed_phases: z.array(Phase),
  next_role: Role.nullable(),
  is_complete: z.boolean(),
});

export const AiPromptResponse = z.object({
  model: z.string(),
  messages: z.array(ChatMessage),
  temperature: z.number(),
  max_tokens: z.number().int(),
});
