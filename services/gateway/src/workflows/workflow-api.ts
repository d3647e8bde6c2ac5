import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  forkPointBody,
  inScope,
  REQUESTS,
  TopDogError,
  type AiPromptResponse,
  type ApproveRequest,
  type CancelRequest,
  type CancelResponse,
  type CompletePhaseResult,
  type RejectRequest,
  type ReopenedResponse,
  type ReopenedResult,
  type SendBackRequest,
  type CompletePhaseRequest,
  type CompletePhaseResponse,
  type InitializeWorkflowRequest,
  type ForkRequest,
  type ForkResponse,
  type InitializeWorkflowResponse,
  type ModelsResponse,
  type ProjectScope,
  type PromptsResponse,
  type ProvidersResponse,
  type RequestDefinition,
  type RequestOf,
  type RoleModels,
  type RunPhaseRequest,
  type RunPhaseResponse,
  type Usage,
  type WorkflowStatus,
  type WorkflowStatusResponse,
} from '@topdog/contracts';
import { hasStructuredOutput, MODEL_TABLE } from '@topdog/models';
import { DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE } from '@topdog/prompts';
import { request } from '@topdog/runtime';
import type { AppliedPositionWatcher } from '../consistency/applied-position-watcher';
import { commandMetadata, etagOf, forkIdForKey, idForKey, workflowIdForKey, type RequestContext } from './request-context';

const usageBody = (u: Usage) => ({
  calls: u.calls,
  failed_calls: u.failedCalls,
  input_tokens: u.inputTokens,
  output_tokens: u.outputTokens,
  cached_input_tokens: u.cachedInputTokens,
  cost_usd: Number(u.costUsd.toFixed(6)),
  unpriced_calls: u.unpricedCalls,
});

/** The status's model-call side in the API's snake_case. */
function llmBody(s: WorkflowStatus) {
  const { usage, llm } = s;
  return {
    usage: {
      total: usageBody(usage.total),
      by_phase: Object.fromEntries(Object.entries(usage.byPhase).map(([phase, u]) => [phase, usageBody(u)])),
      by_model: Object.fromEntries(Object.entries(usage.byModel).map(([model, u]) => [model, usageBody(u)])),
      budget: {
        max_cost_usd: usage.budget.maxCostUsd,
        max_tokens: usage.budget.maxTokens,
        remaining_cost_usd: usage.budget.remainingCostUsd === null ? null : Number(usage.budget.remainingCostUsd.toFixed(6)),
        remaining_tokens: usage.budget.remainingTokens,
      },
    },
    llm: {
      auto_advance: llm.autoAdvance,
      running: llm.running && { call_id: llm.running.callId, phase: llm.running.phase, purpose: llm.running.purpose, requested_at: llm.running.requestedAt },
      last_call: llm.lastCall && {
        call_id: llm.lastCall.callId,
        phase: llm.lastCall.phase,
        status: llm.lastCall.status,
        content: llm.lastCall.content,
        ai_response: llm.lastCall.aiResponse,
        phase_result: llm.lastCall.phaseResult,
        error_class: llm.lastCall.errorClass,
        error: llm.lastCall.error,
      },
      stopped: llm.stopped,
    },
  };
}

/** The workflow's default model: `models.default`, else `model`, else the seed's `gpt-4` (InitializeBody refuses the two differing). */
const defaultModel = (body: InitializeWorkflowRequest): string => body.models?.default ?? body.model ?? 'gpt-4';

/** The roles' own models, without `default`. */
const roleModels = ({ default: _default, ...byRole }: NonNullable<InitializeWorkflowRequest['models']>): RoleModels => byRole;

/** A complete-phase's or an approval's reply in the original's shape. */
function transitionBody(result: CompletePhaseResult): CompletePhaseResponse {
  return {
    workflow_id: result.workflowId,
    previous_state: result.previousState,
    new_state: result.newState,
    next_role: result.nextRole,
    next_action: result.nextAction,
    is_complete: result.isComplete,
    awaiting_approval: result.awaitingApproval,
    ...(result.callId ? { call_id: result.callId } : {}),
  };
}

function reopenedBody(result: ReopenedResult): ReopenedResponse {
  return {
    workflow_id: result.workflowId,
    previous_state: result.previousState,
    new_state: result.newState,
    next_role: result.nextRole,
    next_action: result.nextAction,
    superseded_phases: result.supersededPhases,
    call_id: result.callId,
  };
}

/**
 * What a person's command on a workflow carries besides its own fields: If-Match, the caller's
 * projects, and the id of the model call auto-advance may request next (from the Idempotency-Key
 * when there is one, so a retry names the same call).
 */
function onWorkflow(workflowId: string, endpoint: string, ctx: RequestContext) {
  return {
    expectedRevision: ctx.expectedRevision,
    projects: ctx.identity.projects,
    nextCallId: ctx.idempotencyKey ? idForKey(workflowId, `${endpoint}:${ctx.idempotencyKey}`) : randomUUID(),
  };
}

export interface WorkflowApiDeps {
  nc: NatsConnection;
  prefix: string;
  watcher: AppliedPositionWatcher;
  requestTimeoutMs: number;
  readYourWritesTimeoutMs: number;
}

/** A response body with the headers that go with it. */
export interface ApiResult<T> {
  body: T;
  headers: Record<string, string>;
}

/**
 * The REST API's use cases: each turns a validated request into a command or query over
 * NATS and the reply into the original system's response shape.
 */
export function createWorkflowApi(deps: WorkflowApiDeps) {
  const { nc, prefix, watcher } = deps;

  const send = <D extends RequestDefinition>(definition: D, data: RequestOf<D>) => request(nc, prefix, definition, data, deps.requestTimeoutMs);

  /** Waits until the projector has applied `position`, so a following read sees the write. */
  async function readYourWrites(position: number): Promise<Record<string, string>> {
    const applied = await watcher.waitFor(position, deps.readYourWritesTimeoutMs);
    return applied ? {} : { 'X-Read-Your-Writes': 'timeout' };
  }

  return {
    /** `body` has passed `InitializeBody`, which checks the model against the model table. */
    async initialize(body: InitializeWorkflowRequest, ctx: RequestContext) {
      if (!inScope(ctx.identity.projects, body.project_id)) {
        throw new TopDogError('FORBIDDEN', `this credential may not start workflows in project ${body.project_id}`, [
          { field: 'project_id', reason: "not one of the credential's projects" },
        ]);
      }
      const workflowId = ctx.idempotencyKey ? workflowIdForKey(prefix, ctx.identity.actor, ctx.idempotencyKey) : randomUUID();
      const autoAdvance = body.auto_advance ?? false;
      const result = await send(REQUESTS.initializeWorkflow, {
        type: 'InitializeWorkflow',
        data: {
          workflowId,
          projectId: body.project_id,
          buildId: body.build_id ?? null,
          userId: body.user_id,
          requirements: body.requirements,
          model: defaultModel(body),
          temperature: body.temperature ?? DEFAULT_TEMPERATURE,
          maxTokens: body.max_tokens ?? DEFAULT_MAX_TOKENS,
          autoAdvance,
          budget: { maxCostUsd: body.budget?.max_cost_usd ?? null, maxTokens: body.budget?.max_tokens ?? null },
          ...(body.approval_required ? { approvalRequired: body.approval_required } : {}),
          ...(body.role_prompts ? { rolePrompts: body.role_prompts } : {}),
          ...(body.models ? { models: roleModels(body.models) } : {}),
          ...(body.fallback_models ? { fallbackModels: Array.isArray(body.fallback_models) ? { default: body.fallback_models } : body.fallback_models } : {}),
          ...(autoAdvance ? { firstCallId: idForKey(workflowId, 'first-call') } : {}),
        },
        metadata: commandMetadata(ctx, 'initialize', body),
      });
      return {
        body: {
          workflow_id: result.workflowId,
          initial_state: result.initialState,
          system_prompt: result.systemPrompt,
          next_action: result.nextAction,
          ...(result.callId ? { call_id: result.callId } : {}),
        } satisfies InitializeWorkflowResponse,
        headers: { ETag: etagOf(result.revision), ...(await readYourWrites(result.position)) },
      };
    },

    /** Forks a recorded workflow (one the caller can see) from a phase: 201 with the new id and the fork point. */
    async fork(parentWorkflowId: string, body: ForkRequest, ctx: RequestContext) {
      const workflowId = ctx.idempotencyKey ? forkIdForKey(prefix, ctx.identity.actor, parentWorkflowId, ctx.idempotencyKey) : randomUUID();
      const result = await send(REQUESTS.forkWorkflow, {
        type: 'ForkWorkflow',
        data: {
          workflowId,
          parentWorkflowId,
          fromPhase: body.from_phase,
          ...(body.model ? { model: body.model } : {}),
          ...(body.role_prompts ? { rolePrompts: body.role_prompts } : {}),
          ...(body.requirements ? { requirements: body.requirements } : {}),
          firstCallId: idForKey(workflowId, 'first-call'),
          projects: ctx.identity.projects,
        },
        metadata: commandMetadata(ctx, 'fork', { parentWorkflowId, ...body }),
      });
      return {
        body: {
          workflow_id: result.workflowId,
          forked_from: forkPointBody(result.forkedFrom),
          ...(result.callId ? { call_id: result.callId } : {}),
        } satisfies ForkResponse,
        headers: { ETag: etagOf(result.revision), ...(await readYourWrites(result.position)) },
      };
    },

    async completePhase(body: CompletePhaseRequest, ctx: RequestContext) {
      const result = await send(REQUESTS.completePhase, {
        type: 'CompletePhase',
        data: {
          workflowId: body.workflow_id,
          aiResponse: body.ai_response,
          phaseResult: body.phase_result,
          expectedState: body.expected_state,
          expectedRevision: ctx.expectedRevision,
          projects: ctx.identity.projects,
        },
        metadata: commandMetadata(ctx, 'complete-phase', body),
      });
      return { body: transitionBody(result), headers: { ETag: etagOf(result.revision), ...(await readYourWrites(result.position)) } };
    },

    /** Approves the answer a gated phase holds; answers as complete-phase does. */
    async approve(workflowId: string, body: ApproveRequest, ctx: RequestContext) {
      const result = await send(REQUESTS.approvePhase, {
        type: 'ApprovePhase',
        data: { workflowId, comment: body.comment ?? null, ...onWorkflow(workflowId, 'approve', ctx) },
        metadata: commandMetadata(ctx, `approve:${workflowId}`, body),
      });
      return { body: transitionBody(result), headers: { ETag: etagOf(result.revision), ...(await readYourWrites(result.position)) } };
    },

    async reject(workflowId: string, body: RejectRequest, ctx: RequestContext) {
      const result = await send(REQUESTS.rejectPhase, {
        type: 'RejectPhase',
        data: { workflowId, comment: body.comment, ...onWorkflow(workflowId, 'reject', ctx) },
        metadata: commandMetadata(ctx, `reject:${workflowId}`, body),
      });
      return { body: reopenedBody(result), headers: { ETag: etagOf(result.revision), ...(await readYourWrites(result.position)) } };
    },

    async sendBack(workflowId: string, body: SendBackRequest, ctx: RequestContext) {
      const result = await send(REQUESTS.sendBack, {
        type: 'SendBack',
        data: { workflowId, toPhase: body.to_phase, reason: body.reason, ...onWorkflow(workflowId, 'send-back', ctx) },
        metadata: commandMetadata(ctx, `send-back:${workflowId}`, body),
      });
      return { body: reopenedBody(result), headers: { ETag: etagOf(result.revision), ...(await readYourWrites(result.position)) } };
    },

    async cancel(workflowId: string, body: CancelRequest, ctx: RequestContext) {
      const scope = { expectedRevision: ctx.expectedRevision, projects: ctx.identity.projects };
      const result = await send(REQUESTS.cancelWorkflow, {
        type: 'CancelWorkflow',
        data: { workflowId, reason: body.reason, ...scope },
        metadata: commandMetadata(ctx, `cancel:${workflowId}`, body),
      });
      return {
        body: { workflow_id: result.workflowId, previous_state: result.previousState, current_state: 'CANCELLED' } satisfies CancelResponse,
        headers: { ETag: etagOf(result.revision), ...(await readYourWrites(result.position)) },
      };
    },

    async status(workflowId: string, projects: ProjectScope, atRevision?: number) {
      const s = await send(REQUESTS.workflowStatus, { workflowId, atRevision, projects });
      return {
        body: {
          workflow_id: s.workflowId,
          current_state: s.currentState,
          progress: s.progress,
          completed_phases: s.completedPhases,
          next_role: s.nextRole,
          is_complete: s.isComplete,
          awaiting_approval: s.awaitingApproval && { phase: s.awaitingApproval.phase, requested_at: s.awaitingApproval.requestedAt },
          cancelled: s.cancelled && { reason: s.cancelled.reason, cancelled_at: s.cancelled.cancelledAt },
          models: s.models,
          prompt_versions: s.promptVersions,
          forked_from: s.forkedFrom && forkPointBody(s.forkedFrom),
          ...llmBody(s),
        } satisfies WorkflowStatusResponse,
        headers: { ETag: etagOf(s.revision) },
      };
    },

    /** Asks for the current phase's model call; the answer arrives as events (see status.llm). */
    async runPhase(workflowId: string, body: RunPhaseRequest, ctx: RequestContext) {
      const callId = ctx.idempotencyKey ? idForKey(workflowId, `run-phase:${ctx.idempotencyKey}`) : randomUUID();
      const result = await send(REQUESTS.runPhase, {
        type: 'RunPhase',
        data: { workflowId, callId, expectedState: body.expected_state, projects: ctx.identity.projects },
        metadata: commandMetadata(ctx, `run-phase:${workflowId}`, body),
      });
      return {
        body: {
          workflow_id: result.workflowId,
          call_id: result.callId,
          phase: result.phase,
          role: result.role,
          model: result.model,
          prompt_version: result.promptVersion,
          status: 'requested',
          status_url: `/api/ai-workflows/status/${result.workflowId}`,
        } satisfies RunPhaseResponse,
        headers: { ETag: etagOf(result.revision), ...(await readYourWrites(result.position)) },
      };
    },

    /** Which providers the llm-runner can call, and whether they answered its last check. */
    async providers() {
      const report = await send(REQUESTS.llmProviders, {});
      return {
        body: {
          providers: report.providers.map((p) => ({
            provider: p.provider,
            configured: p.configured,
            missing_setting: p.missingSetting,
            base_url: p.baseUrl,
            structured_output: p.structuredOutput,
            reachable: p.reachable,
            checked_at: p.checkedAt,
            latency_ms: p.latencyMs,
            error: p.error,
          })),
        } satisfies ProvidersResponse,
        headers: {},
      };
    },

    models() {
      return {
        body: {
          models: Object.entries(MODEL_TABLE).map(([name, m]) => ({
            name,
            provider: m.provider,
            provider_model: m.providerModel,
            input_usd_per_mtok: m.inputPerMTok,
            output_usd_per_mtok: m.outputPerMTok,
            cached_input_usd_per_mtok: m.cachedInputPerMTok ?? null,
            cache_write_usd_per_mtok: m.cacheWritePerMTok ?? null,
            structured_output: hasStructuredOutput(m),
          })),
          prefixes: ['openai:<model>', 'anthropic:<model>', 'local:<model>'],
        } satisfies ModelsResponse,
        headers: {},
      };
    },

    /** The role prompts a workflow started now gets, with their versions. */
    async prompts() {
      const library = await send(REQUESTS.promptLibrary, {});
      return {
        body: {
          prompts: library.prompts.map((p) => ({ role: p.role, phases: p.phases, version: p.version, sha256: p.sha256, text: p.text })),
        } satisfies PromptsResponse,
        headers: {},
      };
    },

    async prompt(workflowId: string, projects: ProjectScope) {
      const p = await send(REQUESTS.aiPrompt, { workflowId, projects });
      return {
        body: {
          model: p.model,
          messages: p.messages,
          temperature: p.temperature,
          max_tokens: p.maxTokens,
          prompt_version: p.promptVersion,
        } satisfies AiPromptResponse,
        headers: (p.promptVersion ? { 'X-Prompt-Version': p.promptVersion } : {}) as Record<string, string>,
      };
    },
  };
}
export type WorkflowApi = ReturnType<typeof createWorkflowApi>;
