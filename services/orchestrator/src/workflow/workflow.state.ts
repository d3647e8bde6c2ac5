import {
  budgetExceededMessage,
  PHASE_OWNER,
  PHASES,
  type AnswerFormat,
  type ChatMessage,
  type ForkPoint,
  type Phase,
  type Pricing,
  type Role,
  type RoleModels,
  type FallbackModels,
  type WorkflowBudget,
  type WorkflowEvent,
  type WorkflowInitialized,
  type WorkflowPrompts,
  type WorkflowStateName,
} from '@topdog/contracts';
import type { CompletedPhase, PhaseFeedback } from '@topdog/prompts';

/** What a command applied under an idempotency key answered, to answer a retry the same. */
export type RecordedOutcome =
  | { kind: 'initialized'; requestHash: string | undefined; callId: string | null }
  | { kind: 'forked'; requestHash: string | undefined; callId: string | null; forkedFrom: ForkPoint }
  | {
      kind: 'phaseCompleted';
      requestHash: string | undefined;
      previousState: Phase;
      newState: WorkflowStateName;
      nextRole: Role | null;
      /** The phase is gated: its answer waits for approval. */
      awaitingApproval: boolean;
    }
  | {
      kind: 'approved';
      requestHash: string | undefined;
      previousState: Phase;
      newState: WorkflowStateName;
      nextRole: Role | null;
      callId: string | null;
    }
  | {
      kind: 'reopened';
      command: 'reject' | 'send-back';
      requestHash: string | undefined;
      previousState: WorkflowStateName;
      newState: Phase;
      supersededPhases: Phase[];
      callId: string | null;
    }
  | { kind: 'cancelled'; requestHash: string | undefined; previousState: WorkflowStateName }
  | { kind: 'phaseRequested'; requestHash: string | undefined; callId: string; phase: Phase; role: Role; model: string; promptVersion: string }
  | { kind: 'budgetExceeded'; requestHash: string | undefined; limit: string; message: string };

/** The model call the current phase is waiting for. */
export interface PendingCall {
  callId: string;
  phase: Phase;
  /** What was sent, so a repair can quote it. */
  messages: ChatMessage[];
  /** How its answer was asked for, so it is read (and repaired) the same way. */
  answerFormat: AnswerFormat;
}

/** Every call ever requested: its phase and price, and whether its result is recorded. */
export interface CallRecord {
  phase: Phase;
  /** The model called (absent for calls requested before it was recorded here). */
  model?: string;
  pricing: Pricing;
  recorded: boolean;
  /** The id of the LlmCallRequested that asked for it: the one queued request of it to run. */
  requestId?: string;
}

export interface WorkflowSettings {
  /** The default model; `models` replaces it for some roles. */
  model: string;
  models: RoleModels;
  /** What a phase's call falls back to when it fails for good on its model. */
  fallbackModels: FallbackModels;
  temperature: number;
  maxTokens: number;
  autoAdvance: boolean;
  budget: WorkflowBudget;
  /** Phases whose answer waits for a person's approval. */
  approvalRequired: readonly Phase[];
}

/** A gated phase's answer, held until approved or rejected. */
export interface AwaitingApproval {
  phase: Phase;
  aiResponse: string;
  phaseResult: Record<string, unknown>;
}

interface Started {
  workflowId: string;
  /** The project the workflow belongs to: commands from callers outside it are NOT_FOUND. */
  projectId: string;
  current: WorkflowStateName;
  settings: WorkflowSettings;
  requirements: Record<string, unknown>;
  /** The role prompts recorded when the workflow started (absent in older workflows: the orchestrator's current ones). */
  prompts: WorkflowPrompts | undefined;
  /** Completed phases, in order, with their answers: the prompt history. */
  phases: CompletedPhase[];
  /** Reviewer feedback on the open phase (rejections, send-back reasons): its next prompt carries it. */
  feedback: PhaseFeedback[];
  /** The answer a gated phase holds while it waits for approval. */
  awaiting: AwaitingApproval | null;
  pendingCall: PendingCall | null;
  calls: Readonly<Record<string, CallRecord>>;
  /** Repair requests made in the current phase. */
  phaseRepairs: number;
  /** How far down its model chain the current phase's call has fallen (0: its own model). */
  phaseFallbacks: number;
  spent: { tokens: number; costUsd: number };
  /** Outcomes by idempotency key, kept for the life of the workflow (a few per phase). */
  outcomes: Readonly<Record<string, RecordedOutcome>>;
}

/** The orchestrator's view of one workflow: only what decisions need. */
export type Workflow = { status: 'empty' } | ({ status: 'active' } & Started) | ({ status: 'complete' } & Started) | ({ status: 'cancelled' } & Started);
export type StartedWorkflow = Exclude<Workflow, { status: 'empty' }>;

export const initialState = (): Workflow => ({ status: 'empty' });

/** An event as evolve folds it: with its id and metadata where known (as stored, or as about to be appended). */
export type WorkflowEventWithMetadata = WorkflowEvent & { id?: string; metadata?: { idempotencyKey?: string; requestHash?: string } };

/**
 * The outcome a command's idempotency key answers with. The first event of a commit sets it;
 * the call a command requests as it goes on (under auto-advance) is added to its outcome.
 */
function recordOutcome(state: Started, event: WorkflowEventWithMetadata): Started['outcomes'] {
  const key = event.metadata?.idempotencyKey;
  if (!key) return state.outcomes;
  const requestHash = event.metadata?.requestHash;
  const existing = state.outcomes[key];
  let outcome: RecordedOutcome | undefined;
  switch (event.type) {
    case 'PhaseCompleted':
      if (!existing) outcome = { kind: 'phaseCompleted', requestHash, ...pick(event.data), awaitingApproval: false };
      break;
    case 'ApprovalRequested': {
      const { phase, role } = event.data;
      if (!existing) outcome = { kind: 'phaseCompleted', requestHash, previousState: phase, newState: phase, nextRole: role, awaitingApproval: true };
      break;
    }
    case 'PhaseApproved': {
      const newState = stateAfter(event.data.phase);
      const nextRole = newState === 'COMPLETE' ? null : PHASE_OWNER[newState];
      if (!existing) outcome = { kind: 'approved', requestHash, previousState: event.data.phase, newState, nextRole, callId: null };
      break;
    }
    case 'PhaseRejected': {
      const { phase } = event.data;
      if (!existing) outcome = { kind: 'reopened', command: 'reject', requestHash, previousState: phase, newState: phase, supersededPhases: [], callId: null };
      break;
    }
    case 'PhaseSentBack': {
      const d = event.data;
      if (!existing) {
        outcome = {
          kind: 'reopened',
          command: 'send-back',
          requestHash,
          previousState: d.fromState,
          newState: d.toPhase,
          supersededPhases: d.supersededPhases,
          callId: null,
        };
      }
      break;
    }
    case 'WorkflowCancelled':
      if (!existing) outcome = { kind: 'cancelled', requestHash, previousState: event.data.fromState };
      break;
    case 'LlmCallRequested': {
      const d = event.data;
      if (!existing) {
        outcome = { kind: 'phaseRequested', requestHash, callId: d.callId, phase: d.phase, role: d.role, model: d.model, promptVersion: d.promptVersion };
      }
      // The call a command requested as it went on (initialize, fork, approve, reject, send-back under auto-advance).
      else if (existing.kind === 'initialized' || existing.kind === 'forked' || existing.kind === 'approved' || existing.kind === 'reopened') {
        outcome = { ...existing, callId: d.callId };
      }
      break;
    }
    case 'BudgetExceeded':
      if (!existing) outcome = { kind: 'budgetExceeded', requestHash, limit: event.data.limit, message: budgetExceededMessage(event.data) };
      break;
    default:
      break;
  }
  return outcome ? { ...state.outcomes, [key]: outcome } : state.outcomes;
}

/** How a start answers its key: an initialize, or a fork (with where it was taken). */
const startedOutcome = (d: WorkflowInitialized['data'], requestHash: string | undefined): RecordedOutcome =>
  d.forkedFrom ? { kind: 'forked', requestHash, callId: null, forkedFrom: d.forkedFrom } : { kind: 'initialized', requestHash, callId: null };

const pick = ({ previousState, newState, nextRole }: { previousState: Phase; newState: WorkflowStateName; nextRole: Role | null }) => ({
  previousState,
  newState,
  nextRole,
});

/** The state after one more event. Pure: no clock, no I/O. */
export function evolve(state: Workflow, event: WorkflowEventWithMetadata): Workflow {
  if (event.type === 'WorkflowInitialized') {
    const d = event.data;
    const key = event.metadata?.idempotencyKey;
    return {
      status: 'active',
      workflowId: d.workflowId,
      projectId: d.projectId,
      current: d.initialState,
      settings: {
        model: d.model,
        models: d.models,
        fallbackModels: d.fallbackModels,
        temperature: d.temperature,
        maxTokens: d.maxTokens,
        autoAdvance: d.autoAdvance,
        budget: d.budget,
        approvalRequired: d.approvalRequired,
      },
      requirements: d.requirements,
      prompts: d.prompts,
      phases: [],
      feedback: [],
      awaiting: null,
      pendingCall: null,
      calls: {},
      phaseRepairs: 0,
      phaseFallbacks: 0,
      spent: { tokens: 0, costUsd: 0 },
      outcomes: key ? { [key]: startedOutcome(event.data, event.metadata?.requestHash) } : {},
    };
  }
  if (state.status === 'empty') return state;
  const next: Started = { ...state, outcomes: recordOutcome(state, event) };
  switch (event.type) {
    case 'PhaseCompleted': {
      const d = event.data;
      return {
        ...next,
        status: d.newState === 'COMPLETE' ? 'complete' : 'active',
        current: d.newState,
        phases: [...state.phases, { phase: d.phase, role: d.role, aiResponse: d.aiResponse, phaseResult: d.phaseResult }],
        feedback: [],
        awaiting: null,
        pendingCall: null,
        phaseRepairs: 0,
        phaseFallbacks: 0,
      };
    }
    case 'WorkflowCompleted':
      return { ...next, status: 'complete', current: 'COMPLETE' };
    case 'ApprovalRequested': {
      const { phase, aiResponse, phaseResult } = event.data;
      // The phase is answered: whatever call it waited for no longer advances it.
      return { ...next, status: state.status, awaiting: { phase, aiResponse, phaseResult }, pendingCall: null, phaseRepairs: 0, phaseFallbacks: 0 };
    }
    case 'PhaseApproved':
      // The PhaseCompleted that follows completes the phase.
      return { ...next, status: state.status, awaiting: null };
    case 'PhaseRejected': {
      const d = event.data;
      return {
        ...next,
        status: state.status,
        awaiting: null,
        feedback: [...state.feedback, { kind: 'rejected', from: d.phase, answer: d.rejectedResponse, comment: d.comment }],
      };
    }
    case 'PhaseSentBack': {
      const d = event.data;
      const kept = PHASES.indexOf(d.toPhase);
      return {
        ...next,
        status: 'active',
        current: d.toPhase,
        phases: state.phases.filter((p) => PHASES.indexOf(p.phase) < kept),
        feedback: [{ kind: 'sent_back', from: d.fromState, answer: null, comment: d.reason }],
        awaiting: null,
        pendingCall: null,
        phaseRepairs: 0,
        phaseFallbacks: 0,
      };
    }
    case 'WorkflowCancelled':
      return { ...next, status: 'cancelled', current: 'CANCELLED', awaiting: null, pendingCall: null };
    case 'LlmCallRequested': {
      const d = event.data;
      return {
        ...next,
        status: state.status,
        pendingCall: { callId: d.callId, phase: d.phase, messages: d.messages, answerFormat: d.answerFormat },
        calls: {
          ...state.calls,
          [d.callId]: { phase: d.phase, model: d.model, pricing: d.pricing, recorded: false, ...(event.id ? { requestId: event.id } : {}) },
        },
        phaseRepairs: d.purpose === 'repair' ? state.phaseRepairs + 1 : d.purpose === 'fallback' ? state.phaseRepairs : 0,
        phaseFallbacks: d.purpose === 'fallback' ? state.phaseFallbacks + 1 : d.purpose === 'repair' ? state.phaseFallbacks : 0,
      };
    }
    case 'LlmCallSucceeded':
    case 'LlmCallFailed': {
      const d = event.data;
      const call = state.calls[d.callId];
      const spent =
        event.type === 'LlmCallSucceeded'
          ? {
              tokens: state.spent.tokens + event.data.inputTokens + event.data.outputTokens,
              costUsd: state.spent.costUsd + (event.data.costUsd ?? 0),
            }
          : state.spent;
      return {
        ...next,
        status: state.status,
        pendingCall: state.pendingCall?.callId === d.callId ? null : state.pendingCall,
        calls: call ? { ...state.calls, [d.callId]: { ...call, recorded: true } } : state.calls,
        spent,
      };
    }
    case 'BudgetExceeded':
    case 'PhaseOutputRejected':
      return { ...next, status: state.status };
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
}

/** The state after a phase: the next phase, or COMPLETE after the last. */
export function stateAfter(phase: Phase): Phase | 'COMPLETE' {
  return PHASES[PHASES.indexOf(phase) + 1] ?? 'COMPLETE';
}
