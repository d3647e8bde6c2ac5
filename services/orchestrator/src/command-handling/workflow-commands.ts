import {
  BudgetExceeded,
  budgetExceededMessage,
  NEXT_ACTION,
  PhaseCompleted,
  TopDogError,
  type CompletePhase,
  type CompletePhaseResult,
  type GetLlmCallStatus,
  type InitializeWorkflow,
  type InitializeWorkflowResult,
  type LlmCallStatus,
  type RecordLlmResult,
  type RecordLlmResultResult,
  type RunPhase,
  type RunPhaseResult,
} from '@topdog/contracts';
import type { StoredEvent } from '@topdog/event-store';
import type { PromptLibrary } from '@topdog/prompts';
import type { DecisionContext, ProviderSettings } from '../workflow/decision-context';
import { decide, type WorkflowDecision } from '../workflow/workflow.decide';
import type { RecordedOutcome, Workflow } from '../workflow/workflow.state';
import type { CommandOutcome, WorkflowCommandHandler } from './workflow-command-handler';

export interface WorkflowCommandsDeps {
  handler: WorkflowCommandHandler;
  prompts: PromptLibrary;
  maxRepairs: number;
  /** What the llm-runner can call (fetched before deciding, so decide stays pure). */
  providerSettings: () => Promise<ProviderSettings>;
}

/** A replayed key must have been used for the same kind of command. */
function replayedAs<K extends RecordedOutcome['kind']>(outcome: RecordedOutcome, kind: K, endpoint: string): Extract<RecordedOutcome, { kind: K }> {
  if (outcome.kind === 'budgetExceeded' && kind === 'phaseRequested') {
    throw new TopDogError('BUDGET_EXCEEDED', outcome.message, [{ field: `budget.${outcome.limit}`, reason: outcome.message }]);
  }
  if (outcome.kind !== kind) {
    throw new TopDogError('IDEMPOTENCY_KEY_REUSED', `this Idempotency-Key was used for another command than ${endpoint}`, [
      { field: 'Idempotency-Key', reason: 'already used with another endpoint' },
    ]);
  }
  return outcome as Extract<RecordedOutcome, { kind: K }>;
}

/** The event of a given type among those a command appended. */
function appended<T extends string>(outcome: CommandOutcome, type: T): (StoredEvent & { type: T }) | undefined {
  if (outcome.kind !== 'appended') return undefined;
  return outcome.events.find((e) => e.type === type) as (StoredEvent & { type: T }) | undefined;
}

/** BudgetExceeded among the events appended is the command's answer: 422, the event stays recorded. */
function failIfBudgetExceeded(outcome: CommandOutcome): void {
  const exceeded = appended(outcome, 'BudgetExceeded');
  if (!exceeded) return;
  const d = BudgetExceeded.shape.data.parse(exceeded.data);
  const message = budgetExceededMessage(d);
  throw new TopDogError('BUDGET_EXCEEDED', message, [{ field: `budget.${d.limit}`, reason: message }]);
}

/**
 * The orchestrator's use cases: each reads what the decision needs, runs the decider through
 * the command handler, and shapes the reply.
 */
export function createWorkflowCommands(deps: WorkflowCommandsDeps) {
  const { handler, prompts } = deps;
  /** For decisions that may start a call for a user: they check the provider. */
  const context = async (): Promise<DecisionContext> => ({ prompts, maxRepairs: deps.maxRepairs, providers: await deps.providerSettings() });
  /** For decisions that never check a provider (auto-advance continues with the provider that just answered). */
  const unchecked: DecisionContext = { prompts, maxRepairs: deps.maxRepairs, providers: { openai: null, anthropic: null, local: null, offline: null } };
  /** Every command goes through `decide`, whose exhaustive switch names each one. */
  const deciding = (decision: WorkflowDecision, ctx: DecisionContext) => (state: Workflow) => decide(decision, state, ctx);

  return {
    async initialize(command: InitializeWorkflow): Promise<InitializeWorkflowResult> {
      const ctx = command.data.autoAdvance ? await context() : unchecked;
      const outcome = await handler.handle(
        command.data.workflowId,
        { metadata: command.metadata },
        deciding({ type: 'InitializeWorkflow', data: command.data }, ctx),
      );
      const callId =
        outcome.kind === 'replayed'
          ? replayedAs(outcome.outcome, 'initialized', 'initialize').callId
          : ((appended(outcome, 'LlmCallRequested')?.data as { callId: string } | undefined)?.callId ?? null);
      return {
        workflowId: command.data.workflowId,
        initialState: 'DISCOVERY',
        systemPrompt: prompts.Q_ASSISTANT.text,
        nextAction: NEXT_ACTION.DISCOVERY,
        callId,
        revision: outcome.revision,
        position: outcome.position,
      };
    },

    async completePhase(command: CompletePhase): Promise<CompletePhaseResult> {
      const { workflowId, expectedRevision } = command.data;
      const outcome = await handler.handle(
        workflowId,
        { metadata: command.metadata, expectedRevision },
        deciding({ type: 'CompletePhase', data: command.data }, unchecked),
      );
      const transition =
        outcome.kind === 'replayed'
          ? replayedAs(outcome.outcome, 'phaseCompleted', 'complete-phase')
          : PhaseCompleted.parse(appended(outcome, 'PhaseCompleted')).data;
      return {
        workflowId,
        previousState: transition.previousState,
        newState: transition.newState,
        nextRole: transition.nextRole,
        nextAction: NEXT_ACTION[transition.newState],
        isComplete: transition.newState === 'COMPLETE',
        revision: outcome.revision,
        position: outcome.position,
      };
    },

    async runPhase(command: RunPhase): Promise<RunPhaseResult> {
      const ctx = await context();
      const outcome = await handler.handle(command.data.workflowId, { metadata: command.metadata }, deciding({ type: 'RunPhase', data: command.data }, ctx));
      if (outcome.kind === 'replayed') {
        const requested = replayedAs(outcome.outcome, 'phaseRequested', 'run-phase');
        const state = await handler.current(command.data.workflowId);
        const model = state.status === 'empty' ? '' : state.settings.model;
        return { workflowId: command.data.workflowId, ...pickRequested(requested), model, revision: outcome.revision, position: outcome.position };
      }
      failIfBudgetExceeded(outcome);
      const d = appended(outcome, 'LlmCallRequested')!.data as {
        callId: string;
        phase: RunPhaseResult['phase'];
        role: RunPhaseResult['role'];
        model: string;
        promptVersion: string;
      };
      return {
        workflowId: command.data.workflowId,
        callId: d.callId,
        phase: d.phase,
        role: d.role,
        model: d.model,
        promptVersion: d.promptVersion,
        revision: outcome.revision,
        position: outcome.position,
      };
    },

    async recordLlmResult(command: RecordLlmResult): Promise<RecordLlmResultResult> {
      const outcome = await handler.handle(
        command.data.workflowId,
        { metadata: command.metadata },
        deciding({ type: 'RecordLlmResult', data: command.data }, unchecked),
      );
      return {
        workflowId: command.data.workflowId,
        callId: command.data.callId,
        recorded: outcome.kind === 'appended',
        revision: outcome.revision,
        position: outcome.position,
      };
    },

    /** Whether a call still waits for its result: the llm-runner asks before it calls a model. */
    async llmCallStatus(query: GetLlmCallStatus): Promise<LlmCallStatus> {
      const state = await handler.current(query.workflowId);
      if (state.status === 'empty') return { status: 'unknown' };
      const call = state.calls[query.callId];
      return { status: !call ? 'unknown' : call.recorded ? 'recorded' : 'pending' };
    },
  };
}
export type WorkflowCommands = ReturnType<typeof createWorkflowCommands>;

function pickRequested(r: Extract<RecordedOutcome, { kind: 'phaseRequested' }>) {
  return { callId: r.callId, phase: r.phase, role: r.role, promptVersion: r.promptVersion };
}
