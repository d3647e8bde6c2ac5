import * as z from 'zod';
import { CommandMetadata } from '../envelope';
import { Phase, Role, WorkflowStateName } from '../phases';
import { WorkflowBudget } from './workflow.events';
import { CallId, WorkflowId } from './ids';
import { LlmFailureClass } from '../llm/failure-class';
import { ProjectScope } from '../identity';
import { RolePromptOverrides } from './role-prompts';
import { FallbackModels, RoleModels } from './role-models';
import { ForkWorkflow } from './fork.commands';
import { ApprovePhase, CancelWorkflow, RejectPhase, SendBack } from './approval.commands';

/** Starts a workflow in DISCOVERY. The id is chosen by the caller (the gateway). */
export const InitializeWorkflow = z.object({
  type: z.literal('InitializeWorkflow'),
  data: z.object({
    workflowId: WorkflowId,
    projectId: z.string().min(1).max(200),
    buildId: z.string().min(1).max(200).nullable(),
    userId: z.string().min(1).max(200),
    requirements: z.record(z.string(), z.unknown()),
    model: z.string().min(1).max(200),
    temperature: z.number().min(0).max(2),
    maxTokens: z.number().int().min(1).max(1_000_000),
    autoAdvance: z.boolean().default(false),
    budget: WorkflowBudget.default({ maxCostUsd: null, maxTokens: null }),
    /** Phases whose answer waits for approval; absent: the orchestrator's default (APPROVAL_REQUIRED). */
    approvalRequired: z.array(Phase).max(6).optional(),
    /** Prompt texts replacing the library's for this workflow, by role. */
    rolePrompts: RolePromptOverrides.optional(),
    /** Models for some roles' phases, replacing `model` (the default) there. */
    models: RoleModels.optional(),
    fallbackModels: FallbackModels.optional(),
    /** The id of the first model call when auto-advance starts one (chosen by the caller). */
    firstCallId: CallId.optional(),
  }),
  metadata: CommandMetadata,
});
export type InitializeWorkflow = z.infer<typeof InitializeWorkflow>;

export const InitializeWorkflowResult = z.object({
  workflowId: WorkflowId,
  initialState: z.literal('DISCOVERY'),
  systemPrompt: z.string(),
  nextAction: z.string(),
  /** The model call auto-advance requested, if any. */
  callId: CallId.nullable().default(null),
  revision: z.number().int(),
  position: z.number().int(),
});
export type InitializeWorkflowResult = z.infer<typeof InitializeWorkflowResult>;

/**
 * Records the current phase owner's answer and advances the workflow.
 * `expectedState` / `expectedRevision` make it conditional: a mismatch writes nothing.
 */
export const CompletePhase = z.object({
  type: z.literal('CompletePhase'),
  data: z.object({
    workflowId: WorkflowId,
    aiResponse: z.string(),
    phaseResult: z.record(z.string(), z.unknown()),
    expectedState: WorkflowStateName.optional(),
    expectedRevision: z.number().int().nonnegative().optional(),
    /** The caller's projects: a workflow outside them is NOT_FOUND, like an unknown one. */
    projects: ProjectScope,
  }),
  metadata: CommandMetadata,
});
export type CompletePhase = z.infer<typeof CompletePhase>;

export const CompletePhaseResult = z.object({
  workflowId: WorkflowId,
  previousState: WorkflowStateName,
  newState: WorkflowStateName,
  nextRole: Role.nullable(),
  nextAction: z.string(),
  isComplete: z.boolean(),
  /** True when the phase is gated: its answer waits for approval and `newState` is still that phase. */
  awaitingApproval: z.boolean().default(false),
  /** The model call auto-advance requested next (after an approval), if any. */
  callId: CallId.nullable().default(null),
  revision: z.number().int(),
  position: z.number().int(),
});
export type CompletePhaseResult = z.infer<typeof CompletePhaseResult>;

/** Asks for a model call for the current phase. */
export const RunPhase = z.object({
  type: z.literal('RunPhase'),
  data: z.object({
    workflowId: WorkflowId,
    /** The call's id, chosen by the caller so a retry names the same call. */
    callId: CallId,
    expectedState: WorkflowStateName.optional(),
    /** The caller's projects: a workflow outside them is NOT_FOUND, like an unknown one. */
    projects: ProjectScope,
  }),
  metadata: CommandMetadata,
});
export type RunPhase = z.infer<typeof RunPhase>;

export const RunPhaseResult = z.object({
  workflowId: WorkflowId,
  callId: CallId,
  phase: Phase,
  role: Role,
  model: z.string(),
  promptVersion: z.string(),
  revision: z.number().int(),
  position: z.number().int(),
});
export type RunPhaseResult = z.infer<typeof RunPhaseResult>;

/** What the llm-runner reports for one call. */
export const LlmCallOutcome = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    content: z.string(),
    /** All input tokens, the cached ones and cache writes included. */
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    cachedInputTokens: z.number().int().nonnegative().default(0),
    cacheWriteTokens: z.number().int().nonnegative().default(0),
    latencyMs: z.number().nonnegative(),
    providerRequestId: z.string().max(500).nullable(),
    finishReason: z.string().max(100).nullable(),
    attempts: z.number().int().positive(),
  }),
  z.object({
    ok: z.literal(false),
    errorClass: LlmFailureClass,
    message: z.string().max(2000),
    retryable: z.boolean(),
    httpStatus: z.number().int().nullable(),
    attempts: z.number().int().positive(),
  }),
]);
export type LlmCallOutcome = z.infer<typeof LlmCallOutcome>;

/** The llm-runner's result for a requested call; recorded once per call id. */
export const RecordLlmResult = z.object({
  type: z.literal('RecordLlmResult'),
  data: z.object({
    workflowId: WorkflowId,
    callId: CallId,
    outcome: LlmCallOutcome,
    /** The id auto-advance gives the next call, if it requests one. */
    nextCallId: CallId,
  }),
  metadata: CommandMetadata,
});
export type RecordLlmResult = z.infer<typeof RecordLlmResult>;

export const RecordLlmResultResult = z.object({
  workflowId: WorkflowId,
  callId: CallId,
  /** False when the result was already recorded (a redelivery): nothing was written. */
  recorded: z.boolean(),
  revision: z.number().int(),
  position: z.number().int(),
});
export type RecordLlmResultResult = z.infer<typeof RecordLlmResultResult>;

/**
 * Asked by the llm-runner before it calls a model: is this call still waiting for a result?
 * `requestId`: the id of the queued LlmCallRequested, when it is asked about a queued request.
 */
export const GetLlmCallStatus = z.object({ workflowId: WorkflowId, callId: CallId, requestId: z.string().min(1).max(200).optional() });
export type GetLlmCallStatus = z.infer<typeof GetLlmCallStatus>;
/**
 * Whether the llm-runner should make a call: `pending` (make it), `recorded` (its result is in),
 * `abandoned` (requested but no longer wanted: the workflow was cancelled or sent back past it,
 * so nothing is spent on it), `superseded` (the call was stored from another request: a command
 * retried after a failed append queued it twice; that one runs), `unknown` (not stored, or not
 * yet: its append may still be under way).
 */
export const LlmCallStatus = z.object({
  status: z.enum(['pending', 'recorded', 'abandoned', 'superseded', 'unknown']),
  /** With `unknown`: the workflow's revision as stored now (-1: no workflow). A queued call whose revision it has reached was never stored. */
  revision: z.number().int().min(-1).optional(),
});
export type LlmCallStatus = z.infer<typeof LlmCallStatus>;

export const WorkflowCommand = z.discriminatedUnion('type', [
  InitializeWorkflow,
  CompletePhase,
  RunPhase,
  RecordLlmResult,
  ApprovePhase,
  RejectPhase,
  SendBack,
  CancelWorkflow,
  ForkWorkflow,
]);
export type WorkflowCommand = z.infer<typeof WorkflowCommand>;
