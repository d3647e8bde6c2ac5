import * as z from 'zod';
import { envelopeOf, type Envelope } from '../envelope';
import { Phase, Role, WorkflowStateName } from '../phases';
import { WorkflowId } from './ids';
import { WorkflowPrompts } from './role-prompts';
import { FallbackModels, RoleModels } from './role-models';
import { ApprovalRequested, PhaseApproved, PhaseRejected, PhaseSentBack, WorkflowCancelled } from './approval.events';
import { BudgetExceeded, LlmCallFailed, LlmCallRequested, LlmCallSucceeded, PhaseOutputRejected } from './llm-call.events';

/** Spending limits of one workflow over all its model calls. */
export const WorkflowBudget = z.object({
  maxCostUsd: z.number().positive().nullable(),
  maxTokens: z.number().int().positive().nullable(),
});
export type WorkflowBudget = z.infer<typeof WorkflowBudget>;

/**
 * Where a fork was taken: the parent, the phase the fork runs anew from, and the parent's
 * revision and event hash at that moment (the fork's own hash chain starts fresh and names it).
 */
export const ForkPoint = z.object({
  workflowId: WorkflowId,
  phase: Phase,
  revision: z.number().int().nonnegative(),
  hash: z.string(),
});
export type ForkPoint = z.infer<typeof ForkPoint>;

/** A workflow was started in DISCOVERY with its requirements and model settings. */
export const WorkflowInitialized = z.object({
  type: z.literal('WorkflowInitialized'),
  data: z.object({
    workflowId: WorkflowId,
    projectId: z.string(),
    buildId: z.string().nullable(),
    userId: z.string(),
    requirements: z.record(z.string(), z.unknown()),
    model: z.string(),
    temperature: z.number(),
    maxTokens: z.number().int(),
    initialState: z.literal('DISCOVERY'),
    /** Each model answer completes its phase and requests the next (absent in v1 events: false). */
    autoAdvance: z.boolean().default(false),
    /** Limits over the workflow's life; null: none. */
    budget: WorkflowBudget.default({ maxCostUsd: null, maxTokens: null }),
    /** Phases whose answer waits for a person's approval before the phase is done (absent in older events: none). */
    approvalRequired: z.array(Phase).default([]),
    /**
     * Each role's prompt as the workflow will use it for its whole life (absent in events older
     * than prompt versions: the orchestrator's current prompts).
     */
    prompts: WorkflowPrompts.optional(),
    /** Set when the workflow is a fork: where it was taken from. */
    forkedFrom: ForkPoint.optional(),
    /** Models for some roles' phases; the others use `model` (absent in older events: none). */
    models: RoleModels.default({}),
    /** What a phase's call falls back to when it fails for good on its model (absent in older events: nothing). */
    fallbackModels: FallbackModels.default({}),
  }),
});

/** Where a copied answer came from: the parent's workflow and the revision of its PhaseCompleted. */
export const CopiedFrom = z.object({ workflowId: WorkflowId, revision: z.number().int().nonnegative() });
export type CopiedFrom = z.infer<typeof CopiedFrom>;

/** The current phase's owner answered; the workflow moved to the next state. */
export const PhaseCompleted = z.object({
  type: z.literal('PhaseCompleted'),
  data: z.object({
    workflowId: WorkflowId,
    phase: Phase,
    role: Role,
    /** The assistant's message in the owning role's conversation. */
    aiResponse: z.string(),
    phaseResult: z.record(z.string(), z.unknown()),
    previousState: Phase,
    newState: WorkflowStateName,
    nextRole: Role.nullable(),
    /** Set on a fork's copies of its parent's answers (no model was called for them). */
    copiedFrom: CopiedFrom.optional(),
  }),
});

/** All six phases are done. */
export const WorkflowCompleted = z.object({
  type: z.literal('WorkflowCompleted'),
  data: z.object({ workflowId: WorkflowId, completedPhases: z.array(Phase) }),
});

export const WorkflowEvent = z.discriminatedUnion('type', [
  WorkflowInitialized,
  PhaseCompleted,
  WorkflowCompleted,
  LlmCallRequested,
  LlmCallSucceeded,
  LlmCallFailed,
  BudgetExceeded,
  PhaseOutputRejected,
  ApprovalRequested,
  PhaseApproved,
  PhaseRejected,
  PhaseSentBack,
  WorkflowCancelled,
]);
export type WorkflowEvent = z.infer<typeof WorkflowEvent>;
export type WorkflowInitialized = z.infer<typeof WorkflowInitialized>;
export type PhaseCompleted = z.infer<typeof PhaseCompleted>;
export type WorkflowCompleted = z.infer<typeof WorkflowCompleted>;

/** A workflow event with its envelope, as read back from the event store. */
export const WorkflowEnvelope = envelopeOf(WorkflowEvent);
export type WorkflowEnvelope = Envelope<WorkflowEvent>;

/** Current schema version of each workflow event type (bump when a shape changes; upcast old ones). */
export const WORKFLOW_EVENT_SCHEMA_VERSION = 1;

/** The event-store stream holding one workflow's events. */
export const workflowStreamId = (workflowId: string): string => `workflow-${workflowId}`;
