import * as z from 'zod';
import { Phase } from '../phases';
import { RolePromptOverrides } from './role-prompts';
import type { ForkPoint } from './workflow.events';

/** POST /api/ai-workflows/{workflow_id}/fork: what the fork changes (absent: the parent's). */
export const ForkRequest = z.strictObject({
  /** The first phase the fork runs anew; the phases before it are copied from the parent. */
  from_phase: Phase,
  model: z.string().trim().min(1).max(200).optional(),
  role_prompts: RolePromptOverrides.optional(),
  requirements: z.record(z.string(), z.unknown()).optional(),
});
export type ForkRequest = z.infer<typeof ForkRequest>;

/** A fork point in the API: the parent, the phase the fork runs anew from, the parent's revision and event hash then. */
export const ForkPointBody = z.object({ workflow_id: z.uuid(), phase: Phase, revision: z.number().int(), hash: z.string() });
export type ForkPointBody = z.infer<typeof ForkPointBody>;

export const forkPointBody = (f: ForkPoint): ForkPointBody => ({ workflow_id: f.workflowId, phase: f.phase, revision: f.revision, hash: f.hash });

export const ForkResponse = z.object({
  workflow_id: z.uuid(),
  forked_from: ForkPointBody,
  /** The fork's first model call, when it auto-advances (as its parent did). */
  call_id: z.uuid().optional(),
});
export type ForkResponse = z.infer<typeof ForkResponse>;
