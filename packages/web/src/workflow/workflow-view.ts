import {
  PHASE_OWNER,
  PHASES,
  ROLES,
  WorkflowEvent,
  type AuditRecordBody,
  type ChatMessage,
  type Phase,
  type Role,
  type WorkflowStateName,
} from '@topdog/contracts';

/** Where a phase stands on the timeline. */
export type PhaseStanding = 'pending' | 'current' | 'running' | 'awaiting-approval' | 'done' | 'cancelled';

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
  state: WorkflowStateName | null;
  phases: PhaseView[];
  conversations: Record<Role, ConversationEntry[]>;
  spend: PhaseSpend[];
  running: RunningCall | null;
  awaitingApproval: Phase | null;
  /** The last reason auto-advance or a call stopped (a failure, a budget), until the next call. */
  stopped: string | null;
  /** The last revision applied (-1: none yet). */
  revision: number;
  /** Bookkeeping: each call's role, phase and model, to place its answer. */
  calls: Readonly<Record<string, { role: Role; phase: Phase; model: string }>>;
  /** Bookkeeping: phases whose current answer is already in their role's conversation. */
  answered: readonly Phase[];
}

export const emptyView = (): WorkflowView => ({
  workflowId: null,
  projectId: null,
  model: null,
  requirements: {},
  autoAdvance: false,
  approvalRequired: [],
  forkedFrom: null,
  state: null,
  phases: PHASES.map((phase) => ({ phase, role: PHASE_OWNER[phase], standing: 'pending', completedAt: null, copied: false, reopened: 0 })),
  conversations: Object.fromEntries(ROLES.map((r) => [r, []])) as unknown as Record<Role, ConversationEntry[]>,
  spend: PHASES.map((phase) => ({ phase, calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, unpricedCalls: 0 })),
  running: null,
  awaitingApproval: null,
  stopped: null,
  revision: -1,
  calls: {},
  answered: [],
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
      return { ...p, standing: 'current' };
    }
    return { ...p, standing: p.standing === 'cancelled' ? 'cancelled' : 'pending' };
  });

/** The bookkeeping an event updates, as mutable copies for the length of one evolve. */
interface CallIndex {
  calls: Map<string, { role: Role; phase: Phase; model: string }>;
  answered: Set<Phase>;
}

function add(view: WorkflowView, role: Role, entry: ConversationEntry): Record<Role, ConversationEntry[]> {
  return { ...view.conversations, [role]: [...view.conversations[role], entry] };
}

/**
 * Applies one audit record to the view: pure (returns a new view, the old one unchanged). Records
 * at or below the view's revision are ignored, so a record delivered twice changes nothing.
 */
export function applyRecord(view: WorkflowView, record: AuditRecordBody): WorkflowView {
  if (record.revision <= view.revision) return view;
  const index: CallIndex = { calls: new Map(Object.entries(view.calls)), answered: new Set(view.answered) };
  const next = evolve(view, record, index);
  return { ...next, phases: standingOf(next), revision: record.revision, calls: Object.fromEntries(index.calls), answered: [...index.answered] };
}

export const viewOf = (records: readonly AuditRecordBody[]): WorkflowView => records.reduce(applyRecord, emptyView());

function evolve(view: WorkflowView, record: AuditRecordBody, index: CallIndex): WorkflowView {
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
        state: 'DISCOVERY',
      };
    }
    case 'LlmCallRequested': {
      const d = event.data;
      index.calls.set(d.callId, { role: d.role, phase: d.phase, model: d.model });
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
        running: { callId: d.callId, phase: d.phase, model: d.model, requestedAt: at },
        stopped: null,
        conversations: add(view, d.role, entry),
      };
    }
    case 'LlmCallSucceeded': {
      const d = event.data;
      const call = index.calls.get(d.callId);
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
      const running = view.running?.callId === d.callId ? null : view.running;
      if (!call) return { ...view, spend, running };
      index.answered.add(d.phase);
      const entry: ConversationEntry = {
        kind: 'answer',
        revision,
        at,
        phase: d.phase,
        text: readableAnswer(d.content),
        source: 'model',
        model: d.model ?? call.model,
        outputTokens: d.outputTokens,
      };
      return { ...view, spend, running, conversations: add(view, call.role, entry) };
    }
    case 'LlmCallFailed': {
      const d = event.data;
      const call = index.calls.get(d.callId);
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
      index.answered.delete(d.phase);
      return { ...view, conversations, stopped: d.willRetry ? view.stopped : text };
    }
    case 'ApprovalRequested': {
      const d = event.data;
      let conversations = view.conversations;
      if (!index.answered.has(d.phase)) {
        conversations = add(view, d.role, {
          kind: 'answer',
          revision,
          at,
          phase: d.phase,
          text: d.aiResponse,
          source: 'by-hand',
          model: null,
          outputTokens: null,
        });
        index.answered.add(d.phase);
      }
      const note: ConversationEntry = { kind: 'note', revision, at, phase: d.phase, tone: 'info', text: `The ${d.phase} answer waits for approval.` };
      return { ...view, awaitingApproval: d.phase, conversations: { ...conversations, [d.role]: [...conversations[d.role], note] } };
    }
    case 'PhaseApproved': {
      const d = event.data;
      const text = `Approved by ${record.actor}${d.comment ? `: ${d.comment}` : ''}`;
      return { ...view, awaitingApproval: null, conversations: add(view, d.role, { kind: 'note', revision, at, phase: d.phase, tone: 'info', text }) };
    }
    case 'PhaseRejected': {
      const d = event.data;
      index.answered.delete(d.phase);
      const text = `Rejected by ${record.actor}: ${d.comment}`;
      const phases = view.phases.map((p) => (p.phase === d.phase ? { ...p, reopened: p.reopened + 1 } : p));
      return {
        ...view,
        awaitingApproval: null,
        phases,
        conversations: add(view, d.role, { kind: 'note', revision, at, phase: d.phase, tone: 'warning', text }),
      };
    }
    case 'PhaseCompleted': {
      const d = event.data;
      let conversations = view.conversations;
      if (!index.answered.has(d.phase)) {
        const source = d.copiedFrom ? 'copied' : 'by-hand';
        conversations = add(view, d.role, { kind: 'answer', revision, at, phase: d.phase, text: d.aiResponse, source, model: null, outputTokens: null });
      }
      index.answered.add(d.phase);
      const phases = view.phases.map((p) => (p.phase === d.phase ? { ...p, completedAt: at, copied: d.copiedFrom !== undefined } : p));
      return { ...view, state: d.newState, awaitingApproval: null, phases, conversations };
    }
    case 'WorkflowCompleted':
      return { ...view, state: 'COMPLETE', running: null };
    case 'PhaseSentBack': {
      const d = event.data;
      for (const p of d.supersededPhases) index.answered.delete(p);
      const phases = view.phases.map((p) =>
        d.supersededPhases.includes(p.phase) ? { ...p, completedAt: null, copied: false, reopened: p.reopened + (p.phase === d.toPhase ? 1 : 0) } : p,
      );
      const text = `Sent back from ${d.fromState} to ${d.toPhase} by ${record.actor}: ${d.reason}`;
      return {
        ...view,
        state: d.toPhase,
        awaitingApproval: null,
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
