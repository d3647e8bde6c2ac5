import { z } from 'zod';
import { Phase } from '../phases';
import { RolePromptOverrides } from './role-prompts';

/** POST /api/ai-workflows/{workflow_id}/fork: what the fork changes (absent: the parent's). */
export const ForkRequest = z.strictObject({
  /** The first phase the fork runs anew; the phases before it are copied from the parent. */
  from_phase: Phase,
  model: z.string().trim().min(1).max(200).optional(),
  role_prompts: RolePromptOverrides.optional(),
  requirements: z.record(z.string(), z.unknown()).optional(),
});
export type ForkRequest = z.infer<typeof ForkRequest>;

export const ForkResponse = z.object({
  workflow_id: z.uuid(),
  forked_from: z.object({ workflow_id: z.uuid(), phase: Phase, revision: z.number().int(), hash: z.string() }),
  /** The fork's first model call, when it auto-advances (as its parent did). */
  call_id: z.uuid().optional(),
});
export type ForkResponse = z.infer<typeof ForkResponse>;
