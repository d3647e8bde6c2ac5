import * as z from 'zod';
import { Phase, Role, WorkflowStateName } from '../phases';

/** A person's text (comment or reason): trimmed, not empty when required. */
const Text = z.string().trim().max(20_000);
const Required = Text.min(1, 'required: say why');

/** POST /api/ai-workflows/{workflow_id}/approve */
export const ApproveRequest = z.strictObject({ comment: Text.optional() }).default({});
export type ApproveRequest = z.infer<typeof ApproveRequest>;

/** POST /api/ai-workflows/{workflow_id}/reject: the comment reaches the role's next prompt as reviewer feedback. */
export const RejectRequest = z.strictObject({ comment: Required });
export type RejectRequest = z.infer<typeof RejectRequest>;

/** POST /api/ai-workflows/{workflow_id}/send-back: `to_phase` must come before the current state. */
export const SendBackRequest = z.strictObject({ to_phase: Phase, reason: Required });
export type SendBackRequest = z.infer<typeof SendBackRequest>;

/** POST /api/ai-workflows/{workflow_id}/cancel */
export const CancelRequest = z.strictObject({ reason: Required });
export type CancelRequest = z.infer<typeof CancelRequest>;

/** A rejection or send-back: the phase now open, and the model call auto-advance requested. */
export const ReopenedResponse = z.object({
  workflow_id: z.uuid(),
  previous_state: WorkflowStateName,
  new_state: Phase,
  next_role: Role,
  next_action: z.string(),
  superseded_phases: z.array(Phase),
  call_id: z.uuid().nullable(),
});
export type ReopenedResponse = z.infer<typeof ReopenedResponse>;

export const CancelResponse = z.object({
  workflow_id: z.uuid(),
  previous_state: WorkflowStateName,
  current_state: z.literal('CANCELLED'),
});
export type CancelResponse = z.infer<typeof CancelResponse>;
