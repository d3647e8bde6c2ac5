import * as z from 'zod';
import { ForkPoint } from './workflow.events';
import { Phase, Role, WorkflowStateName } from '../phases';
import { WorkflowId } from './ids';
import { ChatMessage } from '../llm/chat-message';
import { LlmFailureClass } from '../llm/failure-class';
import { AnswerFormat } from '../llm/answer-format';
import { ProjectScope } from '../identity';

/**
 * Queries may name the global position a caller has seen written (read-your-writes):
 * the projector answers once it has applied that position, or fails as UNAVAILABLE.
 */
const consistency = { minPosition: z.number().int().nonnegative().optional() };

/** The caller's projects: a workflow outside them is answered as NOT_FOUND, like an unknown one. */
const scope = { projects: ProjectScope };

export const GetWorkflowStatus = z.object({
  workflowId: WorkflowId,
  ...consistency,
  ...scope,
  /** Time travel: the status as it was at this revision (the stream folded up to it). */
  atRevision: z.number().int().nonnegative().optional(),
});
export type GetWorkflowStatus = z.infer<typeof GetWorkflowStatus>;

/** Model calls and what they used. Cost sums the priced calls; `unpricedCalls` counts the others. */
export const Usage = z.object({
  calls: z.number().int().nonnegative(),
  failedCalls: z.number().int().nonnegative(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  /** The part of the input read from prompt caches (absent in older statuses: 0). */
  cachedInputTokens: z.number().int().nonnegative().default(0),
  costUsd: z.number().nonnegative(),
  unpricedCalls: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof Usage>;
export const NO_USAGE: Usage = { calls: 0, failedCalls: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0, unpricedCalls: 0 };

export const WorkflowUsage = z.object({
  total: Usage,
  byPhase: z.partialRecord(Phase, Usage),
  /** By the model called (absent in older statuses: none). */
  byModel: z.record(z.string(), Usage).default({}),
  budget: z.object({
    maxCostUsd: z.number().nullable(),
    maxTokens: z.number().int().nullable(),
    remainingCostUsd: z.number().nullable(),
    remainingTokens: z.number().int().nullable(),
  }),
});
export type WorkflowUsage = z.infer<typeof WorkflowUsage>;

/** The model-call side of a workflow: what runs now, and how the last call ended. */
export const WorkflowLlmState = z.object({
  autoAdvance: z.boolean(),
  running: z
    .object({
      callId: z.uuid(),
      phase: Phase,
      purpose: z.enum(['phase', 'repair', 'fallback']),
      requestedAt: z.iso.datetime(),
      /** How its answer was asked for (absent in older statuses: fenced). */
      answerFormat: AnswerFormat.default('fenced'),
    })
    .nullable(),
  lastCall: z
    .object({
      callId: z.uuid(),
      phase: Phase,
      status: z.enum(['succeeded', 'failed']),
      /** The answer as the model gave it (on success), so a client without auto-advance can review it. */
      content: z.string().nullable(),
      /**
       * The answer read as complete-phase takes it: the document a person reads and the result,
       * when it meets the phase's schema (else, and in older statuses, null).
       */
      aiResponse: z.string().nullable().default(null),
      phaseResult: z.record(z.string(), z.unknown()).nullable().default(null),
      errorClass: LlmFailureClass.nullable(),
      error: z.string().nullable(),
    })
    .nullable(),
  /** Why auto-advance or a run stopped short (budget, invalid output), until the next call. */
  stopped: z.object({ reason: z.enum(['budget_exceeded', 'output_invalid', 'call_failed']), message: z.string() }).nullable(),
});
export type WorkflowLlmState = z.infer<typeof WorkflowLlmState>;

const NO_BUDGET = { maxCostUsd: null, maxTokens: null, remainingCostUsd: null, remainingTokens: null };

export const WorkflowStatus = z.object({
  workflowId: WorkflowId,
  projectId: z.string(),
  /** Null in statuses stored before they carried it (the listing shows them; a rebuild fills it). */
  buildId: z.string().nullable().default(null),
  userId: z.string().nullable().default(null),
  currentState: WorkflowStateName,
  /** Completed phases / 6. */
  progress: z.number().min(0).max(1),
  completedPhases: z.array(Phase),
  nextRole: Role.nullable(),
  isComplete: z.boolean(),
  /** A gated phase's answer waiting for a person (absent in statuses stored before gates: none). */
  awaitingApproval: z.object({ phase: Phase, requestedAt: z.iso.datetime() }).nullable().default(null),
  cancelled: z.object({ reason: z.string(), cancelledAt: z.iso.datetime() }).nullable().default(null),
  /** The default model. */
  model: z.string(),
  /** Each role's model: its own (`models` at initialize) or the default (absent in older statuses: none). */
  models: z.partialRecord(Role, z.string()).default({}),
  /** The version of each role's prompt the workflow uses (recorded when it started; absent in older statuses: none). */
  promptVersions: z.partialRecord(Role, z.string()).default({}),
  /** Where the workflow was forked from; null unless it is a fork. */
  forkedFrom: ForkPoint.nullable().default(null),
  /** Revision of the last event applied: the status's ETag. */
  revision: z.number().int().nonnegative(),
  position: z.number().int().nonnegative(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  usage: WorkflowUsage.default({ total: NO_USAGE, byPhase: {}, byModel: {}, budget: NO_BUDGET }),
  llm: WorkflowLlmState.default({ autoAdvance: false, running: null, lastCall: null, stopped: null }),
});
export type WorkflowStatus = z.infer<typeof WorkflowStatus>;

export const GetAiPrompt = z.object({ workflowId: WorkflowId, ...consistency, ...scope });
export type GetAiPrompt = z.infer<typeof GetAiPrompt>;

/** Exactly what a model will be sent for the workflow's current phase. */
export const AiPrompt = z.object({
  workflowId: WorkflowId,
  state: WorkflowStateName,
  role: Role.nullable(),
  model: z.string(),
  messages: z.array(ChatMessage),
  temperature: z.number(),
  maxTokens: z.number().int(),
  /** The role prompt's version: `<file>@<hash>`, or `custom@<hash>` for one set at initialize or fork. */
  promptVersion: z.string().nullable(),
});
export type AiPrompt = z.infer<typeof AiPrompt>;
