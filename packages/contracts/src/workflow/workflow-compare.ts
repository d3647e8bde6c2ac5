import * as z from 'zod';
import { Phase, Role, WorkflowStateName } from '../phases';
import { ForkPointBody } from './fork.http';

/** `GET /api/ai-workflows/compare?a=<id>&b=<id>`: two workflows the caller may read. */
export const CompareWorkflowsQuery = z.strictObject({
  a: z.uuid().meta({ description: 'The first workflow (the left side of each diff).' }),
  b: z.uuid().meta({ description: 'The second workflow (the right side of each diff).' }),
});
export type CompareWorkflowsQuery = z.infer<typeof CompareWorkflowsQuery>;

/** What a workflow spent: over one phase's calls, or over all of them. */
export const SpendBody = z.object({
  calls: z.number().int().nonnegative(),
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  /** Null when a call's model has no price in the model table. */
  cost_usd: z.number().nonnegative().nullable(),
  /** Time spent waiting on models (the calls' latencies, summed). */
  model_time_ms: z.number().nonnegative(),
});
export type SpendBody = z.infer<typeof SpendBody>;

/** One side of a phase: the answer on the workflow's current path, and what it took. */
export const ComparedPhaseSideBody = SpendBody.extend({
  ai_response: z.string(),
  phase_result: z.record(z.string(), z.unknown()),
  /** The model and prompt version of the call whose answer this is; null for an answer given by hand. */
  model: z.string().nullable(),
  prompt_version: z.string().nullable(),
  completed_at: z.string(),
  /** From the phase's opening (the workflow's start or the previous phase's completion) to its completion. */
  duration_ms: z.number().nonnegative(),
  /** A fork's copy of its parent's answer: where it came from (nothing was spent on it here); null otherwise. */
  copied_from: z.object({ workflow_id: z.uuid(), revision: z.number().int() }).nullable(),
});
export type ComparedPhaseSideBody = z.infer<typeof ComparedPhaseSideBody>;

/** A value at one path of the two phase results that is not the same (null where a side lacks it). */
export const ResultDifferenceBody = z.object({ path: z.string(), a: z.unknown(), b: z.unknown() });
export type ResultDifferenceBody = z.infer<typeof ResultDifferenceBody>;

export const ComparedPhaseBody = z.object({
  phase: Phase,
  role: Role,
  /** Null where that workflow has not completed the phase. */
  a: ComparedPhaseSideBody.nullable(),
  b: ComparedPhaseSideBody.nullable(),
  same_response: z.boolean(),
  /** A unified diff of the two answers (a → b); empty when they are the same or a side is missing. */
  diff: z.string(),
  result_differences: z.array(ResultDifferenceBody),
});
export type ComparedPhaseBody = z.infer<typeof ComparedPhaseBody>;

export const ComparedWorkflowBody = z.object({
  workflow_id: z.uuid(),
  project_id: z.string(),
  model: z.string(),
  current_state: WorkflowStateName,
  created_at: z.string(),
  /** The parent and phase a fork was taken from; null unless it is a fork. */
  forked_from: ForkPointBody.nullable(),
  totals: SpendBody.extend({ duration_ms: z.number().nonnegative() }),
});
export type ComparedWorkflowBody = z.infer<typeof ComparedWorkflowBody>;

/** Two workflows phase by phase: both answers and their diff, what each took, and totals. */
export const CompareWorkflowsResponse = z.object({
  a: ComparedWorkflowBody,
  b: ComparedWorkflowBody,
  phases: z.array(ComparedPhaseBody),
});
export type CompareWorkflowsResponse = z.infer<typeof CompareWorkflowsResponse>;
