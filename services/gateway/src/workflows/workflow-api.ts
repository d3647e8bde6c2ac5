import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  CompletePhaseReply,
  GetAiPromptReply,
  GetWorkflowStatusReply,
  InitializeWorkflowReply,
  SUBJECTS,
  type CompletePhaseRequest,
  type InitializeWorkflowRequest,
  type Reply,
} from '@topdog/contracts';
import { DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE } from '@topdog/prompts';
import { requestReply, unwrap } from '@topdog/runtime';
import type { z } from 'zod';
import type { CheckpointWatcher } from '../consistency/checkpoint-watcher';
import { commandMetadata, etagOf, workflowIdForKey, type RequestContext } from './request-context';

export interface WorkflowApiDeps {
  nc: NatsConnection;
  prefix: string;
  watcher: CheckpointWatcher;
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

  async function send<S extends z.ZodType<Reply<unknown>>>(pattern: string, data: unknown, schema: S) {
    return unwrap(await requestReply(nc, prefix, pattern, data, schema, deps.requestTimeoutMs)) as Extract<z.infer<S>, { ok: true }>['value'];
  }

  /** Waits until the projector has applied `position`, so a following read sees the write. */
  async function readYourWrites(position: number): Promise<Record<string, string>> {
    const applied = await watcher.waitFor(position, deps.readYourWritesTimeoutMs);
    return applied ? {} : { 'X-Read-Your-Writes': 'timeout' };
  }

  return {
    /** `body` has passed `InitializeBody`, which checks the model against the model table. */
    async initialize(body: InitializeWorkflowRequest, ctx: RequestContext) {
      const workflowId = ctx.idempotencyKey ? workflowIdForKey(prefix, ctx.idempotencyKey) : randomUUID();
      const result = await send(
        SUBJECTS.initializeWorkflow,
        {
          type: 'InitializeWorkflow',
          data: {
            workflowId,
            projectId: body.project_id,
            buildId: body.build_id ?? null,
            userId: body.user_id,
            requirements: body.requirements,
            model: body.model,
            temperature: body.temperature ?? DEFAULT_TEMPERATURE,
            maxTokens: body.max_tokens ?? DEFAULT_MAX_TOKENS,
          },
          metadata: commandMetadata(ctx, `user:${body.user_id}`, 'initialize', body),
        },
        InitializeWorkflowReply,
      );
      return {
        body: {
          workflow_id: result.workflowId,
          initial_state: result.initialState,
          system_prompt: result.systemPrompt,
          next_action: result.nextAction,
        },
        headers: { ETag: etagOf(result.revision), ...(await readYourWrites(result.position)) },
      };
    },

    async completePhase(body: CompletePhaseRequest, ctx: RequestContext) {
      const result = await send(
        SUBJECTS.completePhase,
        {
          type: 'CompletePhase',
          data: {
            workflowId: body.workflow_id,
            aiResponse: body.ai_response,
            phaseResult: body.phase_result,
            expectedState: body.expected_state,
            expectedRevision: ctx.expectedRevision,
          },
          metadata: commandMetadata(ctx, 'anonymous', 'complete-phase', body),
        },
        CompletePhaseReply,
      );
      return {
        body: {
          workflow_id: result.workflowId,
          previous_state: result.previousState,
          new_state: result.newState,
          next_role: result.nextRole,
          next_action: result.nextAction,
          is_complete: result.isComplete,
        },
        headers: { ETag: etagOf(result.revision), ...(await readYourWrites(result.position)) },
      };
    },

    async status(workflowId: string) {
      const s = await send(SUBJECTS.workflowStatus, { workflowId }, GetWorkflowStatusReply);
      return {
        body: {
          workflow_id: s.workflowId,
          current_state: s.currentState,
          progress: s.progress,
          completed_phases: s.completedPhases,
          next_role: s.nextRole,
          is_complete: s.isComplete,
        },
        headers: { ETag: etagOf(s.revision) },
      };
    },

    async prompt(workflowId: string) {
      const p = await send(SUBJECTS.aiPrompt, { workflowId }, GetAiPromptReply);
      return {
        body: { model: p.model, messages: p.messages, temperature: p.temperature, max_tokens: p.maxTokens },
        headers: (p.promptVersion ? { 'X-Prompt-Version': p.promptVersion } : {}) as Record<string, string>,
      };
    },
  };
}
export type WorkflowApi = ReturnType<typeof createWorkflowApi>;
