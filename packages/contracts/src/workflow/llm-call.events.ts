import * as z from 'zod';
import { Phase, Role } from '../phases';
import { ProviderName } from '../llm/providers';
import { ChatMessage } from '../llm/chat-message';
import { CallId, WorkflowId } from './ids';
import { LlmFailureClass } from '../llm/failure-class';
import { AnswerFormat } from '../llm/answer-format';

/** US dollars per million tokens, copied into each request so its cost can be recomputed. */
export const Pricing = z.object({
  inputPerMTok: z.number().nullable(),
  outputPerMTok: z.number().nullable(),
  /** Input read from the prompt cache, and written to it; null (or absent in older events): priced as input. */
  cachedInputPerMTok: z.number().nullable().default(null),
  cacheWritePerMTok: z.number().nullable().default(null),
});
export type Pricing = z.infer<typeof Pricing>;

/**
 * The orchestrator asked for a model call: exactly what will be sent. The llm-runner takes
 * it from the call queue (`QueuedLlmCall`); its answer comes back as a command.
 */
export const LlmCallRequested = z.object({
  type: z.literal('LlmCallRequested'),
  data: z.object({
    workflowId: WorkflowId,
    callId: CallId,
    phase: Phase,
    role: Role,
    /**
     * `phase`: the phase's answer; `repair`: asked again because the answer missed its schema;
     * `fallback`: the same request to the next model of the chain, the last one having failed for good.
     */
    purpose: z.enum(['phase', 'repair', 'fallback']),
    model: z.string(),
    provider: ProviderName,
    providerModel: z.string(),
    messages: z.array(ChatMessage),
    temperature: z.number(),
    maxTokens: z.number().int(),
    promptVersion: z.string(),
    pricing: Pricing,
    /** How the answer is asked for and read (absent in older events: fenced). */
    answerFormat: AnswerFormat.default('fenced'),
  }),
});

/** The model answered. */
export const LlmCallSucceeded = z.object({
  type: z.literal('LlmCallSucceeded'),
  data: z.object({
    workflowId: WorkflowId,
    callId: CallId,
    phase: Phase,
    /** The model the call was made to (absent in older events: the workflow's model). */
    model: z.string().optional(),
    content: z.string(),
    /** All input tokens, the cached ones and cache writes included. */
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    /** The input read from the provider's prompt cache, and written to it (absent in older events: 0). */
    cachedInputTokens: z.number().int().nonnegative().default(0),
    cacheWriteTokens: z.number().int().nonnegative().default(0),
    /** Null when the model has no price in the table. */
    costUsd: z.number().nonnegative().nullable(),
    latencyMs: z.number().nonnegative(),
    providerRequestId: z.string().nullable(),
    finishReason: z.string().nullable(),
    attempts: z.number().int().positive(),
  }),
});

/** The model could not be reached or refused, after every attempt. */
export const LlmCallFailed = z.object({
  type: z.literal('LlmCallFailed'),
  data: z.object({
    workflowId: WorkflowId,
    callId: CallId,
    phase: Phase,
    /** The model the call was made to (absent in older events: the workflow's model). */
    model: z.string().optional(),
    errorClass: LlmFailureClass,
    message: z.string(),
    retryable: z.boolean(),
    httpStatus: z.number().int().nullable(),
    attempts: z.number().int().positive(),
  }),
});

/** A call was not made because it could exceed the workflow's budget. */
export const BudgetExceeded = z.object({
  type: z.literal('BudgetExceeded'),
  data: z.object({
    workflowId: WorkflowId,
    phase: Phase,
    limit: z.enum(['max_cost_usd', 'max_tokens']),
    limitValue: z.number(),
    spent: z.number(),
    /** The call's worst case: estimated input plus max output. */
    estimate: z.number(),
  }),
});

/** An auto-advanced answer did not meet the role's output schema. */
export const PhaseOutputRejected = z.object({
  type: z.literal('PhaseOutputRejected'),
  data: z.object({
    workflowId: WorkflowId,
    callId: CallId,
    phase: Phase,
    errors: z.array(z.string()),
    /** True when a repair request follows; false when auto-advance stops here. */
    willRetry: z.boolean(),
  }),
});

export type LlmCallRequested = z.infer<typeof LlmCallRequested>;
export type LlmCallSucceeded = z.infer<typeof LlmCallSucceeded>;
export type LlmCallFailed = z.infer<typeof LlmCallFailed>;
export type BudgetExceeded = z.infer<typeof BudgetExceeded>;

/** How a BudgetExceeded reads to a person: in the 422, and in the status. */
export function budgetExceededMessage(d: BudgetExceeded['data']): string {
  return `a ${d.phase} call could exceed ${d.limit} = ${d.limitValue}: ${d.spent} spent, up to ${d.estimate} more needed`;
}
export type PhaseOutputRejected = z.infer<typeof PhaseOutputRejected>;
