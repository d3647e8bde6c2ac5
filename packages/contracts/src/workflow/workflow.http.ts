import * as z from 'zod';
import { ChatMessage } from '../llm/chat-message';
import { Phase, PHASES, Role, WorkflowStateName } from '../phases';
import { RolePromptOverrides } from './role-prompts';
import { FallbackModelsRequest, RoleModelsRequest } from './role-models';
import { ForkPointBody } from './fork.http';

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
  /** The default model (`gpt-4` unless this or `models.default` names one). */
  model: z.string().trim().min(1).max(200).optional(),
  /** A model per role (`{"CODE_WRITER": "claude-sonnet-4-6", "default": "gpt-4.1-mini"}`); `default` is `model`'s. */
  models: RoleModelsRequest.optional(),
  /** Models to call in turn when a phase's call fails for good: `["claude-sonnet-4-6", "local:llama3"]`, or by role (`default` for the rest). */
  fallback_models: FallbackModelsRequest.optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().min(1).max(1_000_000).optional(),
  /** Each model answer completes its phase and requests the next, until COMPLETE or a failure. */
  auto_advance: z.boolean().optional(),
  /** Limits over all of the workflow's model calls (max_tokens above is per call). */
  budget: z
    .strictObject({
      max_cost_usd: z.number().positive().max(1_000_000).optional(),
      max_tokens: z.number().int().positive().max(1_000_000_000).optional(),
    })
    .optional(),
  /** Phases whose answer waits for a person's approval; absent: the deployment's APPROVAL_REQUIRED. */
  approval_required: z
    .array(Phase)
    .max(PHASES.length)
    .refine((phases) => new Set(phases).size === phases.length, 'each phase at most once')
    .optional(),
  /** Prompt texts replacing the deployment's for this workflow, by role (recorded with their hash). */
  role_prompts: RolePromptOverrides.optional(),
});
export type InitializeWorkflowRequest = z.infer<typeof InitializeWorkflowRequest>;

export const InitializeWorkflowResponse = z.object({
  workflow_id: z.uuid(),
  initial_state: z.literal('DISCOVERY'),
  system_prompt: z.string(),
  next_action: z.string(),
  /** The first model call when auto_advance started one. */
  call_id: z.uuid().optional(),
});
export type InitializeWorkflowResponse = z.infer<typeof InitializeWorkflowResponse>;

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
  /** True when the phase is gated: new_state is still that phase, waiting for approve or reject. */
  awaiting_approval: z.boolean(),
  /** After an approval under auto-advance: the next phase's model call. */
  call_id: z.uuid().optional(),
});
export type CompletePhaseResponse = z.infer<typeof CompletePhaseResponse>;

/** POST /api/ai-workflows/{workflow_id}/run-phase: an empty body runs the current phase. */
export const RunPhaseRequest = z
  .strictObject({
    /** Run only if the workflow is in this state; otherwise 409 and nothing is written. */
    expected_state: WorkflowStateName.optional(),
  })
  .default({});
export type RunPhaseRequest = z.infer<typeof RunPhaseRequest>;

export const RunPhaseResponse = z.object({
  workflow_id: z.uuid(),
  call_id: z.uuid(),
  phase: Phase,
  role: Role,
  model: z.string(),
  prompt_version: z.string(),
  status: z.literal('requested'),
  /** Where the call's progress shows. */
  status_url: z.string(),
});
export type RunPhaseResponse = z.infer<typeof RunPhaseResponse>;

export const WorkflowIdParams = z.strictObject({ workflow_id: z.uuid() });

/** `GET status/{id}?at=<revision>`: the status as it was at that revision. */
export const StatusQuery = z.strictObject({ at: z.coerce.number().int().nonnegative().optional() });

const UsageBody = z.object({
  calls: z.number().int(),
  failed_calls: z.number().int(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cached_input_tokens: z.number().int(),
  cost_usd: z.number(),
  unpriced_calls: z.number().int(),
});

export const WorkflowStatusResponse = z.object({
  workflow_id: z.uuid(),
  current_state: WorkflowStateName,
  progress: z.number(),
  completed_phases: z.array(Phase),
  next_role: Role.nullable(),
  is_complete: z.boolean(),
  /** A gated phase's answer waiting for approve or reject; null otherwise. */
  awaiting_approval: z.object({ phase: Phase, requested_at: z.string() }).nullable(),
  /** Why and when the workflow was cancelled; null unless current_state is CANCELLED. */
  cancelled: z.object({ reason: z.string(), cancelled_at: z.string() }).nullable(),
  /** Each role's model: its own, or the default. */
  models: z.partialRecord(Role, z.string()),
  /** The version of each role's prompt, as recorded when the workflow started. */
  prompt_versions: z.partialRecord(Role, z.string()),
  /** Where a fork was taken from (its parent, the phase it ran anew from, the parent's revision and hash); null otherwise. */
  forked_from: ForkPointBody.nullable(),
  usage: z.object({
    total: UsageBody,
    by_phase: z.partialRecord(Phase, UsageBody),
    by_model: z.record(z.string(), UsageBody),
    budget: z.object({
      max_cost_usd: z.number().nullable(),
      max_tokens: z.number().int().nullable(),
      remaining_cost_usd: z.number().nullable(),
      remaining_tokens: z.number().int().nullable(),
    }),
  }),
  llm: z.object({
    auto_advance: z.boolean(),
    running: z.object({ call_id: z.uuid(), phase: Phase, purpose: z.string(), requested_at: z.string() }).nullable(),
    last_call: z
      .object({
        call_id: z.uuid(),
        phase: Phase,
        status: z.enum(['succeeded', 'failed']),
        content: z.string().nullable(),
        /** The answer as complete-phase takes it, when it meets the phase's schema. */
        ai_response: z.string().nullable(),
        phase_result: z.record(z.string(), z.unknown()).nullable(),
        error_class: z.string().nullable(),
        error: z.string().nullable(),
      })
      .nullable(),
    stopped: z.object({ reason: z.string(), message: z.string() }).nullable(),
  }),
});
export type WorkflowStatusResponse = z.infer<typeof WorkflowStatusResponse>;

export const AiPromptResponse = z.object({
  model: z.string(),
  messages: z.array(ChatMessage),
  temperature: z.number(),
  max_tokens: z.number().int(),
  /** The role prompt's version (also the X-Prompt-Version header). */
  prompt_version: z.string().nullable(),
});
export type AiPromptResponse = z.infer<typeof AiPromptResponse>;

export const ProvidersResponse = z.object({
  providers: z.array(
    z.object({
      provider: z.string(),
      configured: z.boolean(),
      missing_setting: z.string().nullable(),
      base_url: z.string().nullable(),
      /** Phase answers are asked for in the provider's structured-output mode. */
      structured_output: z.boolean(),
      reachable: z.boolean().nullable(),
      checked_at: z.string().nullable(),
      latency_ms: z.number().nullable(),
      error: z.string().nullable(),
    }),
  ),
});
export type ProvidersResponse = z.infer<typeof ProvidersResponse>;

export const ModelsResponse = z.object({
  models: z.array(
    z.object({
      name: z.string(),
      provider: z.string(),
      provider_model: z.string(),
      input_usd_per_mtok: z.number().nullable(),
      output_usd_per_mtok: z.number().nullable(),
      /** Input read from the prompt cache, and written to it; null: priced as input. */
      cached_input_usd_per_mtok: z.number().nullable(),
      cache_write_usd_per_mtok: z.number().nullable(),
      /** The model has a structured-output mode (its answers are asked for in it where the provider's setting allows). */
      structured_output: z.boolean(),
    }),
  ),
  /** Any model a provider offers, by prefix. */
  prefixes: z.array(z.string()),
});
export type ModelsResponse = z.infer<typeof ModelsResponse>;

/** One audit record: every envelope field in snake_case, the event's data, and its hash. */
export const AuditRecordBody = z.object({
  id: z.string(),
  type: z.string(),
  stream_id: z.string(),
  revision: z.number().int(),
  position: z.number().int(),
  occurred_at: z.string(),
  actor: z.string(),
  correlation_id: z.string(),
  causation_id: z.string().nullable(),
  schema_version: z.number().int(),
  metadata: z.record(z.string(), z.unknown()),
  data: z.unknown(),
  hash: z.string(),
});
export type AuditRecordBody = z.infer<typeof AuditRecordBody>;

export const AuditPageResponse = z.object({
  workflow_id: z.uuid(),
  events: z.array(AuditRecordBody),
  next_from_revision: z.number().int().nullable(),
});
export type AuditPageResponse = z.infer<typeof AuditPageResponse>;

export const VerifyResponse = z.object({
  workflow_id: z.uuid(),
  ok: z.boolean(),
  events: z.number().int(),
  verified_links: z.number().int(),
  unchained_events: z.number().int(),
  head_hash: z.string().nullable(),
  first_broken: z
    .object({ revision: z.number().int(), event_id: z.string(), expected_prev_hash: z.string().nullable(), found_prev_hash: z.string().nullable() })
    .nullable(),
});
export type VerifyResponse = z.infer<typeof VerifyResponse>;

export const RebuildResponse = z.object({ instance_id: z.string(), started_at: z.string() });
export type RebuildResponse = z.infer<typeof RebuildResponse>;
export const ReadModelsProgressResponse = z.object({
  instance_id: z.string(),
  position: z.number().int(),
  target: z.number().int(),
  events_applied: z.number().int(),
  caught_up: z.boolean(),
  run_started_at: z.string(),
});
export type ReadModelsProgressResponse = z.infer<typeof ReadModelsProgressResponse>;
