import * as z from 'zod';
import { CommandMetadata } from '../envelope';
import { ProjectScope } from '../identity';
import { Phase } from '../phases';
import { CallId, WorkflowId } from './ids';
import { ForkPoint } from './workflow.events';
import { RolePromptOverrides } from './role-prompts';

/**
 * Starts a new workflow from a recorded one: the parent's answers before `fromPhase` are copied
 * (no model call), and from `fromPhase` on it runs anew, with the settings given here replacing
 * the parent's. The new id is chosen by the caller (the gateway).
 */
export const ForkWorkflow = z.object({
  type: z.literal('ForkWorkflow'),
  data: z.object({
    workflowId: WorkflowId,
    parentWorkflowId: WorkflowId,
    fromPhase: Phase,
    model: z.string().min(1).max(200).optional(),
    rolePrompts: RolePromptOverrides.optional(),
    requirements: z.record(z.string(), z.unknown()).optional(),
    /** The id of the first model call when the fork auto-advances (chosen by the caller). */
    firstCallId: CallId,
    /** The caller's projects: a parent outside them is NOT_FOUND, like an unknown one. */
    projects: ProjectScope,
  }),
  metadata: CommandMetadata,
});
export type ForkWorkflow = z.infer<typeof ForkWorkflow>;

export const ForkWorkflowResult = z.object({
  workflowId: WorkflowId,
  forkedFrom: ForkPoint,
  /** The model call the fork requested for `fromPhase`, when it auto-advances. */
  callId: CallId.nullable(),
  revision: z.number().int(),
  position: z.number().int(),
});
export type ForkWorkflowResult = z.infer<typeof ForkWorkflowResult>;
