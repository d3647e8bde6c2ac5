import {
  modelChain,
  type LlmFailureClass,
  PHASE_OWNER,
  TopDogError,
  type AnswerFormat,
  type ChatMessage,
  type LlmCallOutcome,
  type Phase,
  type RunPhase,
  type WorkflowBudget,
  type WorkflowEvent,
} from '@topdog/contracts';
import { costOf, estimateMessageTokens, hasStructuredOutput, resolveModel, type ModelEntry } from '@topdog/models';
import { buildPrompt, parsePhaseAnswer, repairMessages } from '@topdog/prompts';
import type { DecisionContext } from './decision-context';
import { completePhaseEvents, openPhase } from './phase-completion';
import { evolve, type StartedWorkflow, type Workflow } from './workflow.state';
import { visibleTo } from './visibility';

/** A phase's models in the order they are tried: its own (its owner's `models`, or the default), then its fallback chain. */
const chainOf = (state: StartedWorkflow, phase: Phase): string[] =>
  modelChain(state.settings.model, state.settings.models, state.settings.fallbackModels, phase);

/** A call's model: a new run starts at the phase's own, a fallback takes the next, a repair stays on the one that answered. */
function callModel(state: StartedWorkflow, phase: Phase, purpose: CallPurpose): string {
  const chain = chainOf(state, phase);
  const index = purpose === 'phase' ? 0 : purpose === 'fallback' ? state.phaseFallbacks + 1 : state.phaseFallbacks;
  const model = chain[index];
  if (model === undefined) throw new RangeError(`no model ${index} in the ${phase} chain of ${chain.length}`); // fallBack checks first
  return model;
}

function resolved(name: string) {
  const model = resolveModel(name);
  if (!model.ok) throw new TopDogError('VALIDATION_FAILED', model.reason, [{ field: 'model', reason: model.reason }]);
  return model.model;
}

type CallPurpose = 'phase' | 'repair' | 'fallback';

/**
 * How a model's answers are asked for: in its provider's structured-output mode when the model
 * has one and the llm-runner asks that provider in it, else as text ending in a fenced block.
 */
const answerFormatOf = (model: ModelEntry, context: DecisionContext): AnswerFormat =>
  hasStructuredOutput(model) && context.structuredOutput[model.provider] ? 'structured' : 'fenced';

/** A request sent again: a repair's (the earlier request, the answer, its errors) or a fallback's. */
interface Resent {
  messages: ChatMessage[];
  answerFormat: AnswerFormat;
}

/**
 * A workflow's model must be in the model table (or a provider prefix), and priced when a cost
 * budget is set. `field` names where the model was given; `unpriced`, the field to blame for a
 * missing price (by default the budget).
 */
export function checkModel(name: string, budget: WorkflowBudget, blame: { field?: string; unpriced?: { field: string; reason: string } } = {}): void {
  const { field = 'model', unpriced } = blame;
  const model = resolveModel(name);
  if (!model.ok) throw new TopDogError('VALIDATION_FAILED', 'invalid request', [{ field, reason: model.reason }]);
  if (budget.maxCostUsd !== null && model.model.inputPerMTok === null) {
    const reason = `model ${name} has no price in the model table, so a cost budget cannot be kept`;
    throw new TopDogError('VALIDATION_FAILED', 'invalid request', [
      unpriced ? { field: unpriced.field, reason: `${unpriced.reason}: ${reason}` } : { field: 'budget.max_cost_usd', reason },
    ]);
  }
}

/** Throws PROVIDER_NOT_CONFIGURED naming the missing setting, or UNAVAILABLE when nobody knows. */
export function checkProvider(model: string, context: DecisionContext): void {
  const resolved = resolveModel(model);
  if (!resolved.ok) return;
  const missing = context.providers[resolved.model.provider];
  if (missing === null) return;
  if (missing === 'unknown') {
    throw new TopDogError('UNAVAILABLE', 'no llm-runner has reported its providers yet; retry shortly');
  }
  throw new TopDogError('PROVIDER_NOT_CONFIGURED', `model ${model} needs ${missing}, which is not set on the llm-runner`, [
    { field: missing, reason: `not set: the ${resolved.model.provider} provider cannot be called` },
  ]);
}

/**
 * A request for a model call in the workflow's current phase, or BudgetExceeded when its worst
 * case (estimated input plus max output) could pass a limit.
 */
export function requestCall(state: StartedWorkflow, callId: string, purpose: CallPurpose, context: DecisionContext, resent?: Resent): WorkflowEvent {
  const phase = state.current as Phase;
  const modelName = callModel(state, phase, purpose);
  const model = resolved(modelName);
  const { settings, spent } = state;
  // The prompts the workflow started with; a workflow older than prompt versions uses the current ones.
  const prompts = state.prompts ?? context.prompts;
  const answerFormat = resent?.answerFormat ?? answerFormatOf(model, context);
  // A request sent again is not built again.
  const sent =
    resent?.messages ??
    buildPrompt(
      {
        workflowId: state.workflowId,
        state: phase,
        model: settings.model,
        models: settings.models,
        temperature: settings.temperature,
        maxTokens: settings.maxTokens,
        requirements: state.requirements,
        phases: state.phases,
        feedback: state.feedback,
        prompts,
        answerFormat,
      },
      context.prompts,
    ).messages;
  const inputEstimate = estimateMessageTokens(sent);
  const { maxTokens: tokenLimit, maxCostUsd } = settings.budget;
  const tokenEstimate = inputEstimate + settings.maxTokens;
  if (tokenLimit !== null && spent.tokens + tokenEstimate > tokenLimit) {
    return {
      type: 'BudgetExceeded',
      data: { workflowId: state.workflowId, phase, limit: 'max_tokens', limitValue: tokenLimit, spent: spent.tokens, estimate: tokenEstimate },
    };
  }
  if (maxCostUsd !== null) {
    const costEstimate = costOf(model, inputEstimate, settings.maxTokens) ?? Number.POSITIVE_INFINITY;
    if (spent.costUsd + costEstimate > maxCostUsd) {
      return {
        type: 'BudgetExceeded',
        data: { workflowId: state.workflowId, phase, limit: 'max_cost_usd', limitValue: maxCostUsd, spent: spent.costUsd, estimate: costEstimate },
      };
    }
  }
  return {
    type: 'LlmCallRequested',
    data: {
      workflowId: state.workflowId,
      callId,
      phase,
      role: PHASE_OWNER[phase],
      purpose,
      model: modelName,
      provider: model.provider,
      providerModel: model.providerModel,
      messages: sent,
      temperature: settings.temperature,
      maxTokens: settings.maxTokens,
      promptVersion: prompts[PHASE_OWNER[phase]].version,
      pricing: {
        inputPerMTok: model.inputPerMTok,
        outputPerMTok: model.outputPerMTok,
        cachedInputPerMTok: model.cachedInputPerMTok ?? null,
        cacheWritePerMTok: model.cacheWritePerMTok ?? null,
      },
      answerFormat,
    },
  };
}

/** Under auto-advance, the events followed by the model call for the phase they leave open (unless the workflow is done). */
export function thenRun(state: StartedWorkflow, events: WorkflowEvent[], nextCallId: string, context: DecisionContext): WorkflowEvent[] {
  if (!state.settings.autoAdvance) return events;
  const after = events.reduce(evolve, state as Workflow) as StartedWorkflow;
  if (after.status !== 'active') return events;
  return [...events, requestCall(after, nextCallId, 'phase', context)];
}

/** Asks for a model call for the current phase. */
export function runPhase(command: RunPhase['data'], workflow: Workflow, context: DecisionContext): WorkflowEvent[] {
  const state = visibleTo(command.projects, command.workflowId, workflow);
  if (command.expectedState !== undefined && command.expectedState !== state.current) {
    throw new TopDogError('CONFLICT', `workflow is in ${state.current}, not ${command.expectedState}`, [
      { field: 'expected_state', reason: `the workflow is in ${state.current}` },
    ]);
  }
  openPhase(state, 'run');
  if (state.pendingCall) {
    throw new TopDogError('CONFLICT', `a model call (${state.pendingCall.callId}) is already running for ${state.pendingCall.phase}`, [
      { field: 'workflow_id', reason: 'wait for the running call to be recorded (see status.llm)' },
    ]);
  }
  checkProvider(callModel(state, state.current as Phase, 'phase'), context);
  return [requestCall(state, command.callId, 'phase', context)];
}

/**
 * After the call the phase waits for failed for good on its model (the llm-runner's retries
 * spent, the provider unreachable or not configured): the same request to the next model of the
 * phase's chain, when there is one (built again when that model's answers are asked for in
 * another format). An answer the orchestrator refused (`result_rejected`) is not the model's
 * failure, and a call the workflow no longer waits for is not replaced.
 */
function fallBack(state: StartedWorkflow, callId: string, errorClass: LlmFailureClass, nextCallId: string, context: DecisionContext): WorkflowEvent[] {
  const pending = state.pendingCall;
  if (state.status !== 'active' || pending?.callId !== callId || errorClass === 'result_rejected') return [];
  if (state.phaseFallbacks + 1 >= chainOf(state, pending.phase).length) return [];
  const sameFormat = answerFormatOf(resolved(callModel(state, pending.phase, 'fallback')), context) === pending.answerFormat;
  return [requestCall(state, nextCallId, 'fallback', context, sameFormat ? pending : undefined)];
}

export interface RecordLlmResultData {
  workflowId: string;
  callId: string;
  outcome: LlmCallOutcome;
  nextCallId: string;
}

/**
 * Records a call's result once (a repeat decides nothing). Under auto-advance a success whose
 * structured result meets the phase's schema completes the phase and requests the next; one
 * that misses it is asked again, a bounded number of times, with the errors.
 */
export function recordLlmResult(command: RecordLlmResultData, state: Workflow, context: DecisionContext): WorkflowEvent[] {
  if (state.status === 'empty') throw new TopDogError('NOT_FOUND', `workflow ${command.workflowId} not found`);
  const call = state.calls[command.callId];
  if (!call) throw new TopDogError('NOT_FOUND', `workflow ${command.workflowId} never requested call ${command.callId}`);
  if (call.recorded) return [];
  const { outcome, workflowId, callId } = command;
  if (!outcome.ok) {
    const { errorClass, message, retryable, httpStatus, attempts } = outcome;
    const failed: WorkflowEvent = {
      type: 'LlmCallFailed',
      data: { workflowId, callId, phase: call.phase, model: call.model, errorClass, message, retryable, httpStatus, attempts },
    };
    return [failed, ...fallBack(state, callId, errorClass, command.nextCallId, context)];
  }
  const succeeded: WorkflowEvent = {
    type: 'LlmCallSucceeded',
    data: {
      workflowId,
      callId,
      phase: call.phase,
      model: call.model,
      content: outcome.content,
      inputTokens: outcome.inputTokens,
      outputTokens: outcome.outputTokens,
      cachedInputTokens: outcome.cachedInputTokens,
      cacheWriteTokens: outcome.cacheWriteTokens,
      costUsd: costOf(call.pricing, outcome),
      latencyMs: outcome.latencyMs,
      providerRequestId: outcome.providerRequestId,
      finishReason: outcome.finishReason,
      attempts: outcome.attempts,
    },
  };
  const pending = state.pendingCall;
  if (!state.settings.autoAdvance || pending?.callId !== callId || state.status !== 'active') return [succeeded];

  const after = evolve(state, succeeded) as StartedWorkflow;
  // The document is what a person reads (ai_response): a structured answer's `document`, or a fenced answer whole.
  const parsed = parsePhaseAnswer(pending.answerFormat, call.phase, outcome.content);
  if (parsed.ok) {
    const completed = completePhaseEvents(after, parsed.document, parsed.result, callId);
    const done = completed.reduce(evolve, after as Workflow) as StartedWorkflow;
    // A gated phase waits for a person: no next call until it is approved (or rejected).
    if (done.status === 'complete' || done.awaiting) return [succeeded, ...completed];
    return [succeeded, ...completed, requestCall(done, command.nextCallId, 'phase', context)];
  }
  const willRetry = state.phaseRepairs < context.maxRepairs;
  const rejected: WorkflowEvent = { type: 'PhaseOutputRejected', data: { workflowId, callId, phase: call.phase, errors: parsed.errors, willRetry } };
  if (!willRetry) return [succeeded, rejected];
  const { answerFormat } = pending;
  const repair = { messages: repairMessages(pending.messages, outcome.content, parsed.errors, answerFormat), answerFormat };
  return [succeeded, rejected, requestCall(after, command.nextCallId, 'repair', context, repair)];
}
