import {
  PHASE_OWNER,
  PHASES,
  ROLES,
  TAKES_THE_ANSWER,
  WorkflowEvent,
  type AuditRecordBody,
  type ChatMessage,
  type Phase,
  type Role,
  type WorkflowStateName,
} from '@topdog/contracts';

/** Where a phase stands on the timeline. */
export type PhaseStanding = 'pending' | 'current' | 'running' | 'answered' | 'awaiting-approval' | 'done' | 'cancelled';

export interface PhaseView {
  phase: Phase;
  role: Role;
  standing: PhaseStanding;
  /** When its answer was accepted (null until then, and again once it is sent back). */
  completedAt: string | null;
  /** The answer was copied from a fork's parent: no model was called for it here. */
  copied: boolean;
  /** Times it was rejected or re-opened. */
  reopened: number;
}

/** One line of a role's conversation, as a person reads it. */
export type ConversationEntry =
  | { kind: 'prompt'; revision: number; at: string; phase: Phase; purpose: string; model: string; system: string | null; context: ChatMessage[]; text: string }
  | {
      kind: 'answer';
      revision: number;
      at: string;
      phase: Phase;
      text: string;
      source: 'model' | 'by-hand' | 'copied';
      model: string | null;
      outputTokens: number | null;
    }
  | { kind: 'note'; revision: number; at: string; phase: Phase; tone: 'info' | 'warning' | 'error'; text: string };

/** Tokens and cost of one phase's model calls. */
export interface PhaseSpend {
  phase: Phase;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Calls whose model has no price: their cost is unknown, not 0. */
  unpricedCalls: number;
}

export interface RunningCall {
  callId: string;
  phase: Phase;
  model: string;
  requestedAt: string;
}

/** A workflow as its events tell it: the timeline, each role's conversation, the spend per phase. */
export interface WorkflowView {
  workflowId: string | null;
  projectId: string | null;
  model: string | null;
  requirements: Record<string, unknown>;
  autoAdvance: boolean;
  approvalRequired: Phase[];
  forkedFrom: { workflowId: string; phase: Phase } | null;
  /** The workflow's limits over all its calls (null: none). */
  budget: { maxCostUsd: number | null; maxTokens: number | null };
  state: WorkflowStateName | null;
  phases: PhaseView[];
  conversations: Record<Role, ConversationEntry[]>;
  spend: PhaseSpend[];
  running: RunningCall | null;
  awaitingApproval: Phase | null;
  /**
   * The model's answer to the current phase that nothing has taken yet (a phase run by hand: a
   * person may accept it). Gone once the phase completes, is held, rejected or sent back, or is
   * asked again.
   */
  pendingAnswer: { callId: string; phase: Phase } | null;
  /**
   * Why the work stopped where a person must act: a failed call, a budget, an answer that missed
   * its schema, a cancel. Cleared when the work moves on (a call, a completion, a decision).
   */
  stopped: string | null;
  /** The last revision applied (-1: none yet). */
  revision: number;
  /** Bookkeeping: each call's role, phase and model, to place its answer. */
  calls: Readonly<Record<string, { role: Role; phase: Phase; model: string }>>;
  /**
   * Bookkeeping: for each phase whose current answer came from its live model call, the commit
   * (causation id) that recorded it: a PhaseCompleted of that same commit (auto-advance) repeats it.
   */
  answeredBy: Readonly<Partial<Record<Phase, string>>>;
  /** Bookkeeping: the phase whose held answer was just approved (its PhaseCompleted repeats that answer). */
  approved: Phase | null;
}

export const emptyView = (): WorkflowView => ({
  workflowId: null,
  projectId: null,
  model: null,
  requirements: {},
  autoAdvance: false,
  approvalRequired: [],
  forkedFrom: null,
  budget: { maxCostUsd: null, maxTokens: null },
  state: null,
  phases: PHASES.map((phase) => ({ phase, role: PHASE_OWNER[phase], standing: 'pending', completedAt: null, copied: false, reopened: 0 })),
  conversations: Object.fromEntries(ROLES.map((r) => [r, []])) as unknown as Record<Role, ConversationEntry[]>,
  spend: PHASES.map((phase) => ({ phase, calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, unpricedCalls: 0 })),
  running: null,
  awaitingApproval: null,
  pendingAnswer: null,
  stopped: null,
  revision: -1,
  calls: {},
  answeredBy: {},
  approved: null,
});

/**
 * The text a person should read of a model's answer: in structured mode the model answers one
 * JSON object `{document, result}`; the document is the answer, the result follows as JSON.
 */
export function readableAnswer(content: string): string {
  try {
    const parsed: unknown = JSON.parse(content);
    if (parsed && typeof parsed === 'object' && typeof (parsed as { document?: unknown }).document === 'string') {
      const { document, result } = parsed as { document: string; result?: unknown };
      return result === undefined ? document : `${document}\n\n\`\`\`json\n${JSON.stringify(result, null, 2)}\n\`\`\``;
    }
  } catch {}
  return content;
}

const standingOf = (view: WorkflowView): PhaseView[] =>
  view.phases.map((p) => {
    if (p.completedAt !== null) return { ...p, standing: 'done' };
    if (view.state === p.phase) {
      if (view.awaitingApproval === p.phase) return { ...p, standing: 'awaiting-approval' };
      if (view.running?.phase === p.phase) return { ...p, standing: 'running' };
      if (view.pendingAnswer?.phase === p.phase) return { ...p, standing: 'answered' };
      return { ...p, standing: 'current' };
    }
    return { ...p, standing: p.standing === 'cancelled' ? 'cancelled' : 'pending' };
  });

function add(view: WorkflowView, role: Role, entry: ConversationEntry): Record<Role, ConversationEntry[]> {
  return { ...view.conversations, [role]: [...view.conversations[role], entry] };
}

/** An answer given by hand or copied, with its structured result as a model's answer shows it. */
const answerEntry = (
  record: AuditRecordBody,
  phase: Phase,
  text: string,
  result: Record<string, unknown>,
  source: 'by-hand' | 'copied',
): ConversationEntry => ({
  kind: 'answer',
  revision: record.revision,
  at: record.occurred_at,
  phase,
  text: Object.keys(result).length > 0 ? `${text}\n\n\`\`\`json\n${JSON.stringify(result, null, 2)}\n\`\`\`` : text,
  source,
  model: null,
  outputTokens: null,
});

/**
 * Applies one audit record to the view: pure (returns a new view, the old one unchanged). Records
 * at or below the view's revision are ignored, so a record delivered twice changes nothing. It
 * follows the orchestrator's own evolve where the two meet (what is running, what is held, what
 * is done), so the page shows what the audit shows.
 */
export function applyRecord(view: WorkflowView, record: AuditRecordBody): WorkflowView {
  if (record.revision <= view.revision) return view;
  const next = evolve(TAKES_THE_ANSWER.has(record.type) ? { ...view, pendingAnswer: null } : view, record);
  return { ...next, phases: standingOf(next), revision: record.revision };
}

export const viewOf = (records: readonly AuditRecordBody[]): WorkflowView => records.reduce(applyRecord, emptyView());

function evolve(view: WorkflowView, record: AuditRecordBody): WorkflowView {
  const parsed = WorkflowEvent.safeParse({ type: record.type, data: record.data });
  if (!parsed.success) return view;
  const event = parsed.data;
  const at = record.occurred_at;
  const revision = record.revision;
  switch (event.type) {
    case 'WorkflowInitialized': {
      const d = event.data;
      return {
        ...view,
        workflowId: d.workflowId,
        projectId: d.projectId,
        model: d.model,
        requirements: d.requirements,
        autoAdvance: d.autoAdvance,
        approvalRequired: d.approvalRequired,
        forkedFrom: d.forkedFrom ? { workflowId: d.forkedFrom.workflowId, phase: d.forkedFrom.phase } : null,
        budget: { maxCostUsd: d.budget.maxCostUsd, maxTokens: d.budget.maxTokens },
        state: 'DISCOVERY',
      };
    }
    case 'LlmCallRequested': {
      const d = event.data;
      const calls = { ...view.calls, [d.callId]: { role: d.role, phase: d.phase, model: d.model } };
      const system = d.messages.find((m) => m.role === 'system')?.content ?? null;
      const last = d.messages.at(-1);
      const entry: ConversationEntry = {
        kind: 'prompt',
        revision,
        at,
        phase: d.phase,
        purpose: d.purpose,
        model: d.model,
        system,
        context: d.messages.slice(0, -1).filter((m) => m.role !== 'system'),
        text: last && last.role !== 'system' ? last.content : '',
      };
      return {
        ...view,
        calls,
        running: { callId: d.callId, phase: d.phase, model: d.model, requestedAt: at },
        stopped: null,
        conversations: add(view, d.role, entry),
      };
    }
    case 'LlmCallSucceeded': {
      const d = event.data;
      const call = view.calls[d.callId];
      const spend = view.spend.map((s) =>
        s.phase === d.phase
          ? {
              ...s,
              calls: s.calls + 1,
              inputTokens: s.inputTokens + d.inputTokens,
              outputTokens: s.outputTokens + d.outputTokens,
              costUsd: s.costUsd + (d.costUsd ?? 0),
              unpricedCalls: s.unpricedCalls + (d.costUsd === null ? 1 : 0),
            }
          : s,
      );
      if (!call) return { ...view, spend };
      const model = d.model ?? call.model;
      if (view.running?.callId !== d.callId) {
        // A call sent back, cancelled or overtaken by a completion by hand: recorded and paid for, but not used.
        const text = `A late answer from ${model} (its call was abandoned): recorded, not used.`;
        return { ...view, spend, conversations: add(view, call.role, { kind: 'note', revision, at, phase: d.phase, tone: 'info', text }) };
      }
      const entry: ConversationEntry = {
        kind: 'answer',
        revision,
        at,
        phase: d.phase,
        text: readableAnswer(d.content),
        source: 'model',
        model,
        outputTokens: d.outputTokens,
      };
      const answeredBy = record.causation_id ? { ...view.answeredBy, [d.phase]: record.causation_id } : view.answeredBy;
      return { ...view, spend, running: null, answeredBy, pendingAnswer: { callId: d.callId, phase: d.phase }, conversations: add(view, call.role, entry) };
    }
    case 'LlmCallFailed': {
      const d = event.data;
      const call = view.calls[d.callId];
      const running = view.running?.callId === d.callId ? null : view.running;
      const spend = view.spend.map((s) => (s.phase === d.phase ? { ...s, calls: s.calls + 1 } : s));
      const text = `The ${d.model ?? call?.model ?? 'model'} call failed after ${d.attempts} attempt(s): ${d.errorClass}: ${d.message}`;
      const conversations = call ? add(view, call.role, { kind: 'note', revision, at, phase: d.phase, tone: 'error', text }) : view.conversations;
      return { ...view, running, spend, stopped: text, conversations };
    }
    case 'BudgetExceeded': {
      const d = event.data;
      const text = `Budget: a ${d.phase} call could exceed ${d.limit} = ${d.limitValue} (${d.spent} spent, up to ${d.estimate} more needed)`;
      return { ...view, stopped: text, conversations: add(view, PHASE_OWNER[d.phase], { kind: 'note', revision, at, phase: d.phase, tone: 'warning', text }) };
    }
    case 'PhaseOutputRejected': {
      const d = event.data;
      const text = `The answer did not meet the phase's schema${d.willRetry ? '; the model is asked again' : ''}: ${d.errors.join('; ')}`;
      const conversations = add(view, PHASE_OWNER[d.phase], { kind: 'note', revision, at, phase: d.phase, tone: 'warning', text });
      const { [d.phase]: _missed, ...answeredBy } = view.answeredBy;
      return { ...view, conversations, answeredBy, stopped: d.willRetry ? view.stopped : text };
    }
    case 'ApprovalRequested': {
      const d = event.data;
      // The model's answer of this same commit is shown already; an answer given by hand is not.
      const shown = d.callId !== null && record.causation_id !== null && view.answeredBy[d.phase] === record.causation_id;
      const conversations = shown ? view.conversations : add(view, d.role, answerEntry(record, d.phase, d.aiResponse, d.phaseResult, 'by-hand'));
      const note: ConversationEntry = { kind: 'note', revision, at, phase: d.phase, tone: 'info', text: `The ${d.phase} answer waits for approval.` };
      return {
        ...view,
        awaitingApproval: d.phase,
        running: null,
        stopped: null,
        conversations: { ...conversations, [d.role]: [...conversations[d.role], note] },
      };
    }
    case 'PhaseApproved': {
      const d = event.data;
      const text = `Approved by ${record.actor}${d.comment ? `: ${d.comment}` : ''}`;
      return {
        ...view,
        awaitingApproval: null,
        approved: d.phase,
        conversations: add(view, d.role, { kind: 'note', revision, at, phase: d.phase, tone: 'info', text }),
      };
    }
    case 'PhaseRejected': {
      const d = event.data;
      const { [d.phase]: _rejected, ...answeredBy } = view.answeredBy;
      const text = `Rejected by ${record.actor}: ${d.comment}`;
      const phases = view.phases.map((p) => (p.phase === d.phase ? { ...p, reopened: p.reopened + 1 } : p));
      const conversations = add(view, d.role, { kind: 'note', revision, at, phase: d.phase, tone: 'warning', text });
      return { ...view, awaitingApproval: null, answeredBy, stopped: null, phases, conversations };
    }
    case 'PhaseCompleted': {
      const d = event.data;
      // Shown already: the held answer just approved, or the model's answer of this same commit (auto-advance).
      const shown = !d.copiedFrom && (view.approved === d.phase || (record.causation_id !== null && view.answeredBy[d.phase] === record.causation_id));
      const conversations = shown
        ? view.conversations
        : add(view, d.role, answerEntry(record, d.phase, d.aiResponse, d.phaseResult, d.copiedFrom ? 'copied' : 'by-hand'));
      const phases = view.phases.map((p) => (p.phase === d.phase ? { ...p, completedAt: at, copied: d.copiedFrom !== undefined } : p));
      return { ...view, state: d.newState, awaitingApproval: null, approved: null, running: null, stopped: null, phases, conversations };
    }
    case 'WorkflowCompleted':
      return { ...view, state: 'COMPLETE', running: null };
    case 'PhaseSentBack': {
      const d = event.data;
      const answeredBy = Object.fromEntries(Object.entries(view.answeredBy).filter(([p]) => !d.supersededPhases.includes(p as Phase)));
      const phases = view.phases.map((p) =>
        d.supersededPhases.includes(p.phase) ? { ...p, completedAt: null, copied: false, reopened: p.reopened + (p.phase === d.toPhase ? 1 : 0) } : p,
      );
      const text = `Sent back from ${d.fromState} to ${d.toPhase} by ${record.actor}: ${d.reason}`;
      return {
        ...view,
        state: d.toPhase,
        awaitingApproval: null,
        answeredBy,
        stopped: null,
        running: d.abandonedCallId && view.running?.callId === d.abandonedCallId ? null : view.running,
        phases,
        conversations: add(view, d.role, { kind: 'note', revision, at, phase: d.toPhase, tone: 'warning', text }),
      };
    }
    case 'WorkflowCancelled': {
      const d = event.data;
      const phases = view.phases.map((p) => (p.phase === d.fromState ? { ...p, standing: 'cancelled' as const } : p));
      const text = `Cancelled by ${record.actor}: ${d.reason}`;
      const owner = d.fromState in PHASE_OWNER ? PHASE_OWNER[d.fromState as Phase] : null;
      const conversations = owner ? add(view, owner, { kind: 'note', revision, at, phase: d.fromState as Phase, tone: 'warning', text }) : view.conversations;
      return { ...view, state: 'CANCELLED', awaitingApproval: null, running: null, stopped: text, phases, conversations };
    }
  }
}
