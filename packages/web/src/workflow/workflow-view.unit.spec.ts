import type { AuditRecordBody, Phase, WorkflowEvent } from '@topdog/contracts';
import { describe, expect, it } from 'vitest';
import { applyRecord, readableAnswer, viewOf, type WorkflowView } from './workflow-view';

const WF = '0b7c6e0e-6f53-4d0a-9b8e-1d2f3a4b5c6d';
const PARENT = '1c8d7f1f-7a64-4e1b-8c9f-2e3a4b5c6d7e';
const call = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Events appended together by one command: `causation` is the command's id (null for the gateway's). */
const commit = (causation: string | null, ...events: WorkflowEvent[]) => events.map((event) => ({ event, causation }));

/** Audit records of a workflow, one per event, revisions from 0; a bare event is a commit of its own by the gateway. */
function records(...items: (WorkflowEvent | { event: WorkflowEvent; causation: string | null }[])[]): AuditRecordBody[] {
  const flat = items.flatMap((i) => (Array.isArray(i) ? i : [{ event: i, causation: null }]));
  return flat.map(({ event: e, causation }, revision) => ({
    id: `e${revision}`,
    type: e.type,
    stream_id: `workflow-${WF}`,
    revision,
    position: revision + 1,
    occurred_at: new Date(Date.UTC(2026, 11, 5, 10, 0, revision)).toISOString(),
    actor: causation ? 'llm-runner' : 'apikey:ana',
    correlation_id: 'c',
    causation_id: causation,
    schema_version: 1,
    metadata: {},
    data: e.data,
    hash: `h${revision}`,
  }));
}

const initialized = (extra: Partial<Extract<WorkflowEvent, { type: 'WorkflowInitialized' }>['data']> = {}): WorkflowEvent => ({
  type: 'WorkflowInitialized',
  data: {
    workflowId: WF,
    projectId: 'web',
    buildId: null,
    userId: 'ana',
    requirements: { description: 'A sign-in page' },
    model: 'offline',
    temperature: 0.2,
    maxTokens: 1000,
    initialState: 'DISCOVERY',
    autoAdvance: true,
    budget: { maxCostUsd: null, maxTokens: null },
    approvalRequired: ['PLANNING'],
    models: {},
    fallbackModels: {},
    ...extra,
  },
});

const requested = (n: number, phase: Phase, role = phase === 'DISCOVERY' || phase === 'PLANNING' ? 'Q_ASSISTANT' : 'CODE_WRITER'): WorkflowEvent => ({
  type: 'LlmCallRequested',
  data: {
    workflowId: WF,
    callId: call(n),
    phase,
    role: role as 'Q_ASSISTANT',
    purpose: 'phase',
    model: 'offline',
    provider: 'offline',
    providerModel: 'offline-deterministic-v1',
    messages: [
      { role: 'system', content: 'You are the Q assistant.' },
      { role: 'user', content: 'Earlier context' },
      { role: 'user', content: `Phase ${phase}: do it` },
    ],
    temperature: 0.2,
    maxTokens: 1000,
    promptVersion: 'v1',
    pricing: { inputPerMTok: 0, outputPerMTok: 0, cachedInputPerMTok: null, cacheWritePerMTok: null },
    answerFormat: 'structured',
  },
});

const succeeded = (n: number, phase: Phase, content = JSON.stringify({ document: `Answer for ${phase}`, result: { ok: true } })): WorkflowEvent => ({
  type: 'LlmCallSucceeded',
  data: {
    workflowId: WF,
    callId: call(n),
    phase,
    model: 'offline',
    content,
    inputTokens: 100,
    outputTokens: 40,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    costUsd: 0.5,
    latencyMs: 12,
    providerRequestId: null,
    finishReason: 'stop',
    attempts: 1,
  },
});

const failed = (n: number): WorkflowEvent => ({
  type: 'LlmCallFailed',
  data: {
    workflowId: WF,
    callId: call(n),
    phase: 'DISCOVERY',
    model: 'offline',
    errorClass: 'server_error',
    message: 'boom',
    retryable: true,
    httpStatus: 500,
    attempts: 3,
  },
});

const completed = (phase: Phase, newState: string, extra: object = {}): WorkflowEvent =>
  ({
    type: 'PhaseCompleted',
    data: {
      workflowId: WF,
      phase,
      role: phase === 'DISCOVERY' || phase === 'PLANNING' ? 'Q_ASSISTANT' : 'CODE_WRITER',
      aiResponse: `Answer for ${phase}`,
      phaseResult: { ok: true },
      previousState: phase,
      newState,
      nextRole: null,
      ...extra,
    },
  }) as WorkflowEvent;

const standing = (view: WorkflowView) => Object.fromEntries(view.phases.map((p) => [p.phase, p.standing]));

describe('the workflow view', () => {
  it('follows a model-run phase: the prompt and answer in the role conversation once, the spend, the timeline', () => {
    const view = viewOf(records(initialized(), requested(1, 'DISCOVERY'), commit('m1', succeeded(1, 'DISCOVERY'), completed('DISCOVERY', 'PLANNING'))));
    expect(view).toMatchObject({
      workflowId: WF,
      projectId: 'web',
      model: 'offline',
      state: 'PLANNING',
      running: null,
      revision: 3,
      approvalRequired: ['PLANNING'],
    });
    expect(view.conversations.Q_ASSISTANT.map((e) => e.kind)).toEqual(['prompt', 'answer']);
    expect(view.conversations.Q_ASSISTANT[0]).toMatchObject({
      system: 'You are the Q assistant.',
      text: 'Phase DISCOVERY: do it',
      context: [{ content: 'Earlier context' }],
    });
    expect(view.conversations.Q_ASSISTANT[1]).toMatchObject({
      source: 'model',
      text: 'Answer for DISCOVERY\n\n```json\n{\n  "ok": true\n}\n```',
      outputTokens: 40,
    });
    expect(view.spend.find((s) => s.phase === 'DISCOVERY')).toEqual({
      phase: 'DISCOVERY',
      calls: 1,
      inputTokens: 100,
      outputTokens: 40,
      costUsd: 0.5,
      unpricedCalls: 0,
    });
    expect(standing(view)).toMatchObject({ DISCOVERY: 'done', PLANNING: 'current', IMPLEMENTATION: 'pending' });
  });

  it('shows a running call, a held answer waiting for approval, a rejection that re-opens it, and the approval', () => {
    const events = records(
      initialized(),
      requested(1, 'DISCOVERY'),
      commit('m1', succeeded(1, 'DISCOVERY'), completed('DISCOVERY', 'PLANNING'), requested(2, 'PLANNING')),
      commit('m2', succeeded(2, 'PLANNING'), {
        type: 'ApprovalRequested',
        data: { workflowId: WF, phase: 'PLANNING', role: 'Q_ASSISTANT', aiResponse: 'Answer for PLANNING', phaseResult: {}, callId: call(2) },
      }),
      commit(
        null,
        {
          type: 'PhaseRejected',
          data: { workflowId: WF, phase: 'PLANNING', role: 'Q_ASSISTANT', comment: 'Two releases', rejectedResponse: 'Answer for PLANNING' },
        },
        requested(3, 'PLANNING'),
      ),
      commit('m3', succeeded(3, 'PLANNING'), {
        type: 'ApprovalRequested',
        data: { workflowId: WF, phase: 'PLANNING', role: 'Q_ASSISTANT', aiResponse: 'Answer for PLANNING', phaseResult: {}, callId: call(3) },
      }),
      commit(
        null,
        { type: 'PhaseApproved', data: { workflowId: WF, phase: 'PLANNING', role: 'Q_ASSISTANT', comment: null } },
        completed('PLANNING', 'IMPLEMENTATION'),
      ),
    );
    expect(viewOf(events.slice(0, 5)).running).toMatchObject({ callId: call(2), phase: 'PLANNING' });
    expect(standing(viewOf(events.slice(0, 5))).PLANNING).toBe('running');
    const held = viewOf(events.slice(0, 7));
    expect(held).toMatchObject({ awaitingApproval: 'PLANNING', running: null });
    expect(standing(held).PLANNING).toBe('awaiting-approval');
    const rejected = viewOf(events.slice(0, 8));
    expect(rejected.awaitingApproval).toBeNull();
    expect(rejected.phases.find((p) => p.phase === 'PLANNING')?.reopened).toBe(1);
    expect(rejected.conversations.Q_ASSISTANT.at(-1)).toMatchObject({ kind: 'note', tone: 'warning', text: 'Rejected by apikey:ana: Two releases' });

    const view = viewOf(events);
    expect(view.state).toBe('IMPLEMENTATION');
    // Each model answer once: neither the approval request nor the completion repeats it.
    expect(view.conversations.Q_ASSISTANT.filter((e) => e.kind === 'answer')).toHaveLength(3);
    expect(view.conversations.Q_ASSISTANT.filter((e) => e.kind === 'note').map((e) => e.text)).toEqual([
      'The PLANNING answer waits for approval.',
      'Rejected by apikey:ana: Two releases',
      'The PLANNING answer waits for approval.',
      'Approved by apikey:ana',
    ]);
    expect(view.spend.find((s) => s.phase === 'PLANNING')).toMatchObject({ calls: 2, inputTokens: 200, costUsd: 1 });
  });

  it('shows answers given by hand and copied by a fork, a send-back that re-opens phases, and a cancel', () => {
    const events = records(
      initialized({ forkedFrom: { workflowId: PARENT, phase: 'PLANNING', revision: 7, hash: 'abc' } }),
      completed('DISCOVERY', 'PLANNING', { copiedFrom: { workflowId: PARENT, revision: 3 } }),
      completed('PLANNING', 'IMPLEMENTATION'),
      {
        type: 'PhaseSentBack',
        data: {
          workflowId: WF,
          fromState: 'IMPLEMENTATION',
          toPhase: 'PLANNING',
          role: 'Q_ASSISTANT',
          reason: 'Too big',
          supersededPhases: ['PLANNING'],
          abandonedCallId: null,
        },
      },
      { type: 'WorkflowCancelled', data: { workflowId: WF, fromState: 'PLANNING', reason: 'Not now', abandonedCallId: null } },
    );
    const beforeBack = viewOf(events.slice(0, 3));
    expect(beforeBack.forkedFrom).toEqual({ workflowId: PARENT, phase: 'PLANNING' });
    expect(beforeBack.phases.find((p) => p.phase === 'DISCOVERY')).toMatchObject({ standing: 'done', copied: true });
    expect(beforeBack.conversations.Q_ASSISTANT.map((e) => (e.kind === 'answer' ? e.source : e.kind))).toEqual(['copied', 'by-hand']);

    const back = viewOf(events.slice(0, 4));
    expect(back.state).toBe('PLANNING');
    expect(standing(back)).toMatchObject({ DISCOVERY: 'done', PLANNING: 'current' });
    expect(back.phases.find((p) => p.phase === 'PLANNING')?.reopened).toBe(1);

    const cancelled = viewOf(events);
    expect(cancelled).toMatchObject({ state: 'CANCELLED', stopped: 'Cancelled by apikey:ana: Not now' });
    expect(standing(cancelled)).toMatchObject({ DISCOVERY: 'done', PLANNING: 'cancelled', IMPLEMENTATION: 'pending' });
  });

  it('notes a failed call and a budget stop, and counts unpriced calls apart', () => {
    const unpriced = succeeded(2, 'DISCOVERY');
    (unpriced.data as { costUsd: number | null }).costUsd = null;
    const view = viewOf(
      records(initialized(), requested(1, 'DISCOVERY'), failed(1), requested(2, 'DISCOVERY'), unpriced, {
        type: 'BudgetExceeded',
        data: { workflowId: WF, phase: 'PLANNING', limit: 'max_tokens', limitValue: 10, spent: 140, estimate: 1000 },
      }),
    );
    expect(view.spend.find((s) => s.phase === 'DISCOVERY')).toMatchObject({ calls: 2, costUsd: 0, unpricedCalls: 1 });
    expect(view.conversations.Q_ASSISTANT.find((e) => e.kind === 'note' && e.tone === 'error')?.text).toBe(
      'The offline call failed after 3 attempt(s): server_error: boom',
    );
    expect(view.stopped).toMatch(/^Budget: a PLANNING call could exceed max_tokens = 10/);
  });

  it('run by hand: the model answer, then the answer a person completes the phase with, both shown; nothing left running', () => {
    const view = viewOf(
      records(
        initialized({ autoAdvance: false, budget: { maxCostUsd: 2, maxTokens: null } }),
        requested(1, 'DISCOVERY'),
        commit('m1', succeeded(1, 'DISCOVERY')),
        completed('DISCOVERY', 'PLANNING', { aiResponse: 'My own reading of it' }),
      ),
    );
    expect(view).toMatchObject({ autoAdvance: false, budget: { maxCostUsd: 2, maxTokens: null }, running: null, state: 'PLANNING', pendingAnswer: null });
    // Between the answer and its acceptance, it is there to take, and the phase says so.
    const answered = viewOf(records(initialized({ autoAdvance: false }), requested(1, 'DISCOVERY'), commit('m1', succeeded(1, 'DISCOVERY'))));
    expect(answered.pendingAnswer).toEqual({ callId: call(1), phase: 'DISCOVERY' });
    expect(answered.phases[0]?.standing).toBe('answered');
    expect(
      view.conversations.Q_ASSISTANT.filter((e) => e.kind === 'answer').map((e) => [e.kind === 'answer' && e.source, e.kind === 'answer' && e.text]),
    ).toEqual([
      ['model', 'Answer for DISCOVERY\n\n```json\n{\n  "ok": true\n}\n```'],
      // With its structured result, as a model's answer shows it.
      ['by-hand', 'My own reading of it\n\n```json\n{\n  "ok": true\n}\n```'],
    ]);
  });

  it('a phase completed by hand while its call runs: the call no longer runs, and its late answer is noted, not used', () => {
    const events = records(
      initialized(),
      requested(1, 'DISCOVERY'),
      completed('DISCOVERY', 'PLANNING'),
      commit('m1', succeeded(1, 'DISCOVERY')),
      requested(2, 'PLANNING'),
      {
        type: 'PhaseSentBack',
        data: {
          workflowId: WF,
          fromState: 'PLANNING',
          toPhase: 'DISCOVERY',
          role: 'Q_ASSISTANT',
          reason: 'Again',
          supersededPhases: ['DISCOVERY'],
          abandonedCallId: call(2),
        },
      },
      commit('m2', succeeded(2, 'PLANNING')),
    );
    expect(viewOf(events.slice(0, 3)).running).toBeNull();
    // A late answer is nothing to accept; a send-back takes away whatever answer there was.
    expect(viewOf(events.slice(0, 4)).pendingAnswer).toBeNull();
    const view = viewOf(events);
    expect(view.running).toBeNull();
    expect(view.conversations.Q_ASSISTANT.filter((e) => e.kind === 'answer').map((e) => e.kind === 'answer' && e.source)).toEqual(['by-hand']);
    expect(view.conversations.Q_ASSISTANT.filter((e) => e.kind === 'note' && e.text.startsWith('A late answer'))).toHaveLength(2);
    // Paid for all the same.
    expect(view.spend.find((s) => s.phase === 'PLANNING')?.calls).toBe(1);
  });

  it('clears a stop once the work moves on', () => {
    const stoppedThenCompleted = viewOf(records(initialized(), requested(1, 'DISCOVERY'), commit('m1', failed(1))));
    expect(stoppedThenCompleted.stopped).toMatch(/failed/);
    expect(
      applyRecord(stoppedThenCompleted, records(initialized(), requested(1, 'DISCOVERY'), initialized(), completed('DISCOVERY', 'PLANNING'))[3]!).stopped,
    ).toBeNull();
  });

  it('ignores a record delivered again and an event it does not know', () => {
    const [init, req] = records(initialized(), requested(1, 'DISCOVERY'));
    const view = viewOf([init!, req!]);
    expect(applyRecord(view, req!)).toBe(view);
    const unknown = { ...req!, revision: 2, type: 'SomethingNew', data: { x: 1 } };
    expect(applyRecord(view, unknown)).toMatchObject({ revision: 2, conversations: view.conversations, running: view.running });
  });

  it('reads a structured answer as its document and result; any other text as it is', () => {
    expect(readableAnswer('{"document":"Hi","result":{"a":1}}')).toBe('Hi\n\n```json\n{\n  "a": 1\n}\n```');
    expect(readableAnswer('{"document":"Hi"}')).toBe('Hi');
    expect(readableAnswer('plain *markdown*')).toBe('plain *markdown*');
    expect(readableAnswer('{"other": 1}')).toBe('{"other": 1}');
  });
});
