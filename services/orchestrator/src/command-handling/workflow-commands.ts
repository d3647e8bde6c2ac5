import {
  budgetExceededMessage,
  NEXT_ACTION,
  PHASE_OWNER,
  type ApprovePhase,
  type CancelWorkflow,
  type CancelWorkflowResult,
  type Phase,
  type RejectPhase,
  type ReopenedResult,
  type SendBack,
  TopDogError,
  type CommandMetadata,
  type CompletePhase,
  type ProjectScope,
  type CompletePhaseResult,
  type GetLlmCallStatus,
  type InitializeWorkflow,
  type InitializeWorkflowResult,
  type ForkPoint,
  type ForkWorkflow,
  type ForkWorkflowResult,
  type PromptLibraryReport,
  ROLES,
  type LlmCallStatus,
  type RecordLlmResult,
  type RecordLlmResultResult,
  type RunPhase,
  type RunPhaseResult,
  type WorkflowEvent,
} from '@topdog/contracts';
import { phasesOf, type PromptLibrary } from '@topdog/prompts';
import type { DecisionContext, KnownProviders } from '../workflow/decision-context';
import { deciding, type WorkflowDecision } from '../workflow/workflow.decide';
import { forkSourceOf } from '../workflow/fork.decide';
import { visibleTo } from '../workflow/visibility';
import type { RecordedOutcome } from '../workflow/workflow.state';
import type { CommandOutcome, WorkflowCommandHandler } from './workflow-command-handler';

export interface WorkflowCommandsDeps {
  handler: WorkflowCommandHandler;
  prompts: PromptLibrary;
  maxRepairs: number;
  /** What the llm-runner can call and how (read before deciding, so decide stays pure). */
  providers: {
    /** Asks the llm-runner when the last answer is too old. */
    current(): Promise<KnownProviders>;
    /** The last answer, without asking. */
    lastKnown(): KnownProviders;
  };
  /** Phases gated by approval when an initialize names none (APPROVAL_REQUIRED). */
  approvalRequired?: readonly Phase[];
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

/** The event of a given type among those a command appended (found by its discriminant, hence the cast). */
function appended<T extends WorkflowEvent['type']>(outcome: CommandOutcome, type: T): Extract<WorkflowEvent, { type: T }> | undefined {
  if (outcome.kind !== 'appended') return undefined;
  return outcome.decided.find((e) => e.type === type) as Extract<WorkflowEvent, { type: T }> | undefined;
}

/** Where a completion (or an approval) left the workflow. */
interface Transition {
  previousState: Phase;
  newState: CompletePhaseResult['newState'];
  nextRole: CompletePhaseResult['nextRole'];
  awaitingApproval: boolean;
  callId: string | null;
}

/** A complete-phase's or an approval's reply: the transition, at the revision and position the command reached. */
function transitionResult(workflowId: string, outcome: CommandOutcome, t: Transition): CompletePhaseResult {
  return {
    workflowId,
    previousState: t.previousState,
    newState: t.newState,
    nextRole: t.nextRole,
    nextAction: NEXT_ACTION[t.newState],
    isComplete: t.newState === 'COMPLETE',
    awaitingApproval: t.awaitingApproval,
    callId: t.callId,
    revision: outcome.revision,
    position: outcome.position,
  };
}

/** BudgetExceeded among the events appended is the command's answer: 422, the event stays recorded. */
function failIfBudgetExceeded(outcome: CommandOutcome): void {
  const exceeded = appended(outcome, 'BudgetExceeded');
  if (!exceeded) return;
  const message = budgetExceededMessage(exceeded.data);
  throw new TopDogError('BUDGET_EXCEEDED', message, [{ field: `budget.${exceeded.data.limit}`, reason: message }]);
}

/**
 * The orchestrator's use cases: each reads what the decision needs, runs the decider through
 * the command handler, and shapes the reply.
 */
export function createWorkflowCommands(deps: WorkflowCommandsDeps) {
  const { handler, prompts } = deps;
  /** For decisions that may start a call for a user: they check the provider. */
  const context = async (): Promise<DecisionContext> => {
    const { settings, structuredOutput } = await deps.providers.current();
    return { prompts, maxRepairs: deps.maxRepairs, providers: settings, structuredOutput };
  };
  /**
   * For decisions that never check a provider (auto-advance continues with the provider that
   * just answered): no waiting on the llm-runner, its last report says how answers are asked for.
   */
  const unchecked = (): DecisionContext => ({
    prompts,
    maxRepairs: deps.maxRepairs,
    providers: { openai: null, anthropic: null, local: null, offline: null },
    structuredOutput: deps.providers.lastKnown().structuredOutput,
  });
  /**
   * A command on an existing workflow that starts no call for a user: decided under its caller's
   * scope and, when given, its expected revision (If-Match).
   */
  const decideOn = (
    command: { data: { workflowId: string; expectedRevision?: number; projects: ProjectScope }; metadata: CommandMetadata },
    decision: WorkflowDecision,
  ) =>
    handler.handle(
      command.data.workflowId,
      { metadata: command.metadata, expectedRevision: command.data.expectedRevision, projects: command.data.projects },
      deciding(decision, unchecked()),
    );

  /** The prompts a workflow recorded when it started (the current ones for a workflow older than that). */
  const recordedPrompts = async (workflowId: string): Promise<PromptLibrary> => {
    const state = await handler.current(workflowId);
    return (state.status === 'empty' ? undefined : state.prompts) ?? prompts;
  };

  return {
    /** The prompts a workflow started now gets, by role. */
    promptLibrary(): PromptLibraryReport {
      return { prompts: ROLES.map((role) => ({ role, phases: phasesOf(role), ...prompts[role] })) };
    },

    async initialize(command: InitializeWorkflow): Promise<InitializeWorkflowResult> {
      const ctx = command.data.autoAdvance ? await context() : unchecked();
      const data = { ...command.data, approvalRequired: command.data.approvalRequired ?? [...(deps.approvalRequired ?? [])] };
      const outcome = await handler.handle(
        command.data.workflowId,
        { metadata: command.metadata, creates: true },
        deciding({ type: 'InitializeWorkflow', data }, ctx),
      );
      const callId =
        outcome.kind === 'replayed'
          ? replayedAs(outcome.outcome, 'initialized', 'initialize').callId
          : (appended(outcome, 'LlmCallRequested')?.data.callId ?? null);
      const recorded = appended(outcome, 'WorkflowInitialized')?.data.prompts ?? (await recordedPrompts(command.data.workflowId));
      return {
        workflowId: command.data.workflowId,
        initialState: 'DISCOVERY',
        systemPrompt: recorded.Q_ASSISTANT.text,
        nextAction: NEXT_ACTION.DISCOVERY,
        callId,
        revision: outcome.revision,
        position: outcome.position,
      };
    },

    async completePhase(command: CompletePhase): Promise<CompletePhaseResult> {
      const { workflowId } = command.data;
      const outcome = await decideOn(command, { type: 'CompletePhase', data: command.data });
      const transition = outcome.kind === 'replayed' ? replayedAs(outcome.outcome, 'phaseCompleted', 'complete-phase') : completedOrHeld(outcome);
      if (!transition) throw new Error('complete-phase decided no PhaseCompleted nor ApprovalRequested');
      return transitionResult(workflowId, outcome, { ...transition, callId: null });
    },

    /** Approves the held answer; replies as complete-phase does. */
    async approve(command: ApprovePhase): Promise<CompletePhaseResult> {
      const { workflowId } = command.data;
      const outcome = await decideOn(command, { type: 'ApprovePhase', data: command.data });
      let transition: Transition;
      if (outcome.kind === 'replayed') transition = { ...replayedAs(outcome.outcome, 'approved', 'approve'), awaitingApproval: false };
      else {
        const completed = appended(outcome, 'PhaseCompleted');
        if (!completed) throw new Error('approve decided no PhaseCompleted');
        transition = { ...completed.data, awaitingApproval: false, callId: appended(outcome, 'LlmCallRequested')?.data.callId ?? null };
      }
      return transitionResult(workflowId, outcome, transition);
    },

    async reject(command: RejectPhase): Promise<ReopenedResult> {
      const { workflowId } = command.data;
      const outcome = await decideOn(command, { type: 'RejectPhase', data: command.data });
      return reopenedReply(workflowId, outcome, 'reject', (o) => {
        const d = appended(o, 'PhaseRejected')!.data;
        return { previousState: d.phase, newState: d.phase, supersededPhases: [] };
      });
    },

    async sendBack(command: SendBack): Promise<ReopenedResult> {
      const { workflowId } = command.data;
      const outcome = await decideOn(command, { type: 'SendBack', data: command.data });
      return reopenedReply(workflowId, outcome, 'send-back', (o) => {
        const d = appended(o, 'PhaseSentBack')!.data;
        return { previousState: d.fromState, newState: d.toPhase, supersededPhases: d.supersededPhases };
      });
    },

    async cancel(command: CancelWorkflow): Promise<CancelWorkflowResult> {
      const { workflowId } = command.data;
      const outcome = await decideOn(command, { type: 'CancelWorkflow', data: command.data });
      const previousState =
        outcome.kind === 'replayed' ? replayedAs(outcome.outcome, 'cancelled', 'cancel').previousState : appended(outcome, 'WorkflowCancelled')!.data.fromState;
      return { workflowId, previousState, revision: outcome.revision, position: outcome.position };
    },

    /** Copies the parent's answers before `fromPhase` into a new workflow, which runs anew from there. */
    async fork(command: ForkWorkflow): Promise<ForkWorkflowResult> {
      const { workflowId, parentWorkflowId } = command.data;
      const { events, lastHash } = await handler.history(parentWorkflowId);
      const source = forkSourceOf(events, lastHash);
      // The caller must see the parent (a retry with the key too) before anything else is asked.
      const parent = visibleTo(command.data.projects, parentWorkflowId, source.workflow);
      const ctx = parent.settings.autoAdvance ? await context() : unchecked();
      const outcome = await handler
        .handle(workflowId, { metadata: command.metadata, creates: true }, deciding({ type: 'ForkWorkflow', data: { ...command.data, source } }, ctx))
        .catch((err: unknown) => {
          if (err instanceof TopDogError && err.code === 'PAYLOAD_TOO_LARGE') {
            // A fork starts in one append: the parent's answers before from_phase must fit in it.
            throw new TopDogError('PAYLOAD_TOO_LARGE', `the fork's start does not fit in one event-store message: ${err.message}`, [
              { field: 'from_phase', reason: `the answers before ${command.data.fromPhase} are too large to copy at once; fork from an earlier phase` },
            ]);
          }
          throw err;
        });
      let started: { forkedFrom: ForkPoint; callId: string | null };
      if (outcome.kind === 'replayed') started = replayedAs(outcome.outcome, 'forked', 'fork');
      else {
        const forkedFrom = appended(outcome, 'WorkflowInitialized')?.data.forkedFrom;
        if (!forkedFrom) throw new Error('fork decided no WorkflowInitialized naming its parent');
        started = { forkedFrom, callId: appended(outcome, 'LlmCallRequested')?.data.callId ?? null };
      }
      return { workflowId, ...started, revision: outcome.revision, position: outcome.position };
    },

    async runPhase(command: RunPhase): Promise<RunPhaseResult> {
      const ctx = await context();
      const outcome = await handler.handle(
        command.data.workflowId,
        { metadata: command.metadata, projects: command.data.projects },
        deciding({ type: 'RunPhase', data: command.data }, ctx),
      );
      if (outcome.kind === 'replayed') {
        const requested = replayedAs(outcome.outcome, 'phaseRequested', 'run-phase');
        return { workflowId: command.data.workflowId, ...pickRequested(requested), revision: outcome.revision, position: outcome.position };
      }
      failIfBudgetExceeded(outcome);
      const d = appended(outcome, 'LlmCallRequested')!.data;
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
        deciding({ type: 'RecordLlmResult', data: command.data }, unchecked()),
      );
      return {
        workflowId: command.data.workflowId,
        callId: command.data.callId,
        recorded: outcome.kind === 'appended',
        revision: outcome.revision,
        position: outcome.position,
      };
    },

    /** Whether a call still waits for its result: the llm-runner asks before it calls a model, and makes only a pending one. */
    async llmCallStatus(query: GetLlmCallStatus): Promise<LlmCallStatus> {
      // As stored now: another instance may have requested or recorded the call since this one cached the workflow.
      const { state, revision } = await handler.latest(query.workflowId);
      if (state.status === 'empty') return { status: 'unknown', revision };
      const call = state.calls[query.callId];
      if (!call) return { status: 'unknown', revision };
      if (query.requestId && call.requestId && call.requestId !== query.requestId) return { status: 'superseded' };
      if (call.recorded) return { status: 'recorded' };
      // Requested, and no longer the call the workflow waits for: cancelled, or sent back past it.
      return { status: state.pendingCall?.callId === query.callId ? 'pending' : 'abandoned' };
    },
  };
}
export type WorkflowCommands = ReturnType<typeof createWorkflowCommands>;

/** A complete-phase's transition: the phase completed, or held for approval (still in it). */
function completedOrHeld(outcome: CommandOutcome) {
  const completed = appended(outcome, 'PhaseCompleted');
  if (completed) return { ...completed.data, awaitingApproval: false };
  const held = appended(outcome, 'ApprovalRequested');
  if (!held) return undefined;
  return { previousState: held.data.phase, newState: held.data.phase, nextRole: held.data.role, awaitingApproval: true };
}

/** The reply of a command that re-opened a phase (reject, send-back), appended now or replayed from its key. */
function reopenedReply(
  workflowId: string,
  outcome: CommandOutcome,
  command: 'reject' | 'send-back',
  fromEvents: (o: CommandOutcome) => Pick<ReopenedResult, 'previousState' | 'newState' | 'supersededPhases'>,
): ReopenedResult {
  let reopened: Pick<ReopenedResult, 'previousState' | 'newState' | 'supersededPhases' | 'callId'>;
  if (outcome.kind === 'replayed') {
    reopened = replayedAs(outcome.outcome, 'reopened', command);
  } else reopened = { ...fromEvents(outcome), callId: appended(outcome, 'LlmCallRequested')?.data.callId ?? null };
  return {
    workflowId,
    previousState: reopened.previousState,
    newState: reopened.newState,
    nextRole: PHASE_OWNER[reopened.newState],
    nextAction: NEXT_ACTION[reopened.newState],
    supersededPhases: reopened.supersededPhases,
    callId: reopened.callId,
    revision: outcome.revision,
    position: outcome.position,
  };
}

function pickRequested(r: Extract<RecordedOutcome, { kind: 'phaseRequested' }>) {
  return { callId: r.callId, phase: r.phase, role: r.role, model: r.model, promptVersion: r.promptVersion };
}
