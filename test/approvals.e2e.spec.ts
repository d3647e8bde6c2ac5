import { PHASES, workflowStreamId } from '@topdog/contracts';
import type { JetStreamEventStore, StoredEvent } from '@topdog/event-store';
import { FakeLlmServer, type RecordedRequest } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from './support/credentials';
import { http, initializeBody } from './support/http';
import { phaseAnswer, phaseOf } from './support/phase-answers';
import { startSystem, type System } from './support/system';
import { poll, waitFor, waitForStatus } from './support/wait';

const OPENAI_KEY = 'sk-e2e-approvals-key-0123456789';

/** The text of every message a model request carried. */
const sentText = (request: RecordedRequest) => (request.body!.messages as { content: string }[]).map((m) => m.content).join('\n');

/**
 * People in the loop over real processes: approval gates (APPROVAL_REQUIRED as the deployment's
 * default), a rejection whose comment reaches the re-run, send-back and cancel, with the
 * llm-runner calling a local OpenAI-wire server through the real SDK.
 */
describe('approvals, send-back and cancel', () => {
  let system: System;
  let openai: FakeLlmServer;
  let store: JetStreamEventStore;
  const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => http(system.baseUrl, method, path, body, headers);
  const events = async (id: string): Promise<StoredEvent[]> => store.readStream(workflowStreamId(id));
  const until = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000) => poll(what, probe, { timeoutMs, everyMs: 100 });
  const statusWhen = (id: string, ok: (body: any) => boolean, timeoutMs?: number) => waitForStatus(system.baseUrl, id, ok, timeoutMs);
  const awaiting = (id: string, phase: string) => statusWhen(id, (s) => s.awaiting_approval?.phase === phase);
  const callsFor = (id: string, phase: string) => openai.calls.filter((c) => JSON.stringify(c.body).includes(id) && phaseOf(c.body!) === phase);

  beforeAll(async () => {
    openai = await FakeLlmServer.start('openai', { apiKey: OPENAI_KEY, answer: phaseAnswer });
    system = await startSystem({
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: openai.url,
      LLM_RETRY_BASE_MS: '20',
      LLM_REQUEST_ACK_WAIT_MS: '2000',
      APPROVAL_REQUIRED: 'PLANNING,DEPLOYMENT',
    });
    store = await system.eventStore();
  });
  afterAll(async () => {
    // The new subjects are in the catalogue: no service was refused anything on the bus.
    if (system) expect(await system.refusals()).toEqual([]);
    await system?.[Symbol.asyncDispose]();
    await openai?.close();
  });

  it('holds gated phases for approval; a rejection re-runs the phase with the comment in its prompt; approvals complete it', async () => {
    // No approval_required in the body: the deployment's APPROVAL_REQUIRED gates PLANNING and DEPLOYMENT.
    const init = await api('POST', '/api/ai-workflows/initialize', initializeBody({ auto_advance: true }));
    expect(init.status, JSON.stringify(init.body)).toBe(200);
    const id = init.body.workflow_id as string;

    const held = await awaiting(id, 'PLANNING');
    expect(held).toMatchObject({ current_state: 'PLANNING', completed_phases: ['DISCOVERY'], progress: 1 / 6, is_complete: false, cancelled: null });
    expect(held.llm.running).toBeNull();
    expect(held.awaiting_approval.requested_at).toMatch(/^\d{4}-\d\d-\d\dT/);

    // While it waits: no next call, and the commands that would answer or run the phase are 409.
    const complete = await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'x' });
    expect(complete.status).toBe(409);
    expect(complete.body.error.code).toBe('CONFLICT');
    expect((await api('POST', `/api/ai-workflows/${id}/run-phase`, {})).status).toBe(409);
    expect(callsFor(id, 'IMPLEMENTATION')).toHaveLength(0);

    // A rejection needs a comment; bad input writes nothing.
    const head = await store.headPosition();
    const noComment = await api('POST', `/api/ai-workflows/${id}/reject`, { comment: '  ' });
    expect(noComment.status).toBe(400);
    expect(noComment.body.error.details).toEqual([expect.objectContaining({ field: 'comment' })]);
    const loneSurrogate = await api('POST', `/api/ai-workflows/${id}/reject`, { comment: 'half a pair: \ud800' });
    expect(loneSurrogate.status).toBe(400);
    expect(loneSurrogate.body.error.details).toEqual([expect.objectContaining({ field: 'comment', reason: expect.stringContaining('surrogate') })]);
    expect(await store.headPosition()).toBe(head);

    // The reviewer is a writer of the project: the events record its identity as their actor.
    const writer = (await api('POST', '/api/admin/keys', { name: 'reviewer', projects: ['proj123'], role: 'writer' })).body as { id: string; key: string };
    const comment = 'Split task e2e-1 in two and add a rollback step';
    const rejected = await api('POST', `/api/ai-workflows/${id}/reject`, { comment }, bearer(writer.key));
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expect(rejected.body).toMatchObject({
      workflow_id: id,
      previous_state: 'PLANNING',
      new_state: 'PLANNING',
      next_role: 'Q_ASSISTANT',
      superseded_phases: [],
    });
    expect(rejected.body.call_id).toMatch(/^[0-9a-f-]{36}$/);

    // The phase ran again: the model was sent the rejected answer and the comment.
    await until('the re-run of PLANNING', async () => (callsFor(id, 'PLANNING').length === 2 ? true : undefined));
    const rerun = callsFor(id, 'PLANNING')[1]!;
    expect(sentText(rerun)).toContain(comment);
    expect(sentText(rerun)).toContain('Reviewer feedback');
    expect(sentText(callsFor(id, 'PLANNING')[0]!)).not.toContain(comment);
    await statusWhen(id, (s) => s.awaiting_approval?.phase === 'PLANNING' && s.usage.total.calls === 3);
    const prompt = await api('POST', `/api/ai-workflows/get-ai-prompt/${id}`);
    expect(JSON.stringify(prompt.body.messages)).toContain(comment);

    // Approve, retried with the same key: one approval, the same answer.
    const key = { 'Idempotency-Key': `approve-${id}`, ...bearer(writer.key) };
    const approved = await api('POST', `/api/ai-workflows/${id}/approve`, { comment: 'good now' }, key);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({
      previous_state: 'PLANNING',
      new_state: 'IMPLEMENTATION',
      next_role: 'CODE_WRITER',
      is_complete: false,
      awaiting_approval: false,
    });
    const afterApproval = await store.headPosition();
    const again = await api('POST', `/api/ai-workflows/${id}/approve`, { comment: 'good now' }, key);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(approved.body);
    // Nothing more awaits approval now (the same key with another body is refused).
    expect((await api('POST', `/api/ai-workflows/${id}/approve`, {})).status).toBe(409);
    expect((await api('POST', `/api/ai-workflows/${id}/approve`, { comment: 'other' }, key)).status).toBe(422);
    // A reader may look, not decide.
    const reader = (await api('POST', '/api/admin/keys', { name: 'onlooker', projects: ['proj123'], role: 'reader' })).body as { key: string };
    expect((await api('POST', `/api/ai-workflows/${id}/approve`, {}, bearer(reader.key))).status).toBe(403);

    const last = await awaiting(id, 'DEPLOYMENT');
    expect(last).toMatchObject({ current_state: 'DEPLOYMENT', completed_phases: PHASES.slice(0, 5), progress: 5 / 6 });
    expect(await store.headPosition()).toBeGreaterThan(afterApproval);
    const final = await api('POST', `/api/ai-workflows/${id}/approve`, {});
    expect(final.body).toMatchObject({ previous_state: 'DEPLOYMENT', new_state: 'COMPLETE', is_complete: true, awaiting_approval: false });
    expect(final.body.call_id).toBeUndefined();
    const done = await statusWhen(id, (s) => s.is_complete);
    expect(done).toMatchObject({ current_state: 'COMPLETE', completed_phases: [...PHASES], progress: 1, awaiting_approval: null });

    const stored = await events(id);
    const types = stored.map((e) => e.type);
    expect(types.filter((t) => t === 'ApprovalRequested')).toHaveLength(3);
    expect(types.filter((t) => t === 'PhaseApproved')).toHaveLength(2);
    expect(types.filter((t) => t === 'PhaseRejected')).toHaveLength(1);
    expect(types.filter((t) => t === 'PhaseCompleted')).toHaveLength(6);
    expect(types.at(-1)).toBe('WorkflowCompleted');
    // The approver is the authenticated identity; the rejected answer stays in the history.
    const approval = stored.find((e) => e.type === 'PhaseApproved')!;
    expect(approval.actor).toBe(`key:${writer.id}`);
    expect(stored.find((e) => e.type === 'PhaseRejected')!.actor).toBe(`key:${writer.id}`);
    expect(approval.data).toMatchObject({ phase: 'PLANNING', comment: 'good now' });
    expect(stored.find((e) => e.type === 'PhaseRejected')!.data).toMatchObject({ comment, rejectedResponse: expect.stringContaining('Answer for PLANNING') });
    const audit = await api('GET', `/api/ai-workflows/${id}/audit`);
    expect(audit.body.events.map((e: { type: string }) => e.type)).toEqual(types);
    expect((await api('GET', `/api/ai-workflows/${id}/audit/verify`)).body.ok).toBe(true);
  });

  it('cancel while a model call runs: CANCELLED, every later command 409, the late answer recorded and counted', async () => {
    // A slow answer: the call is still running when the workflow is cancelled.
    openai.respondWith({ kind: 'answer', chunkDelayMs: 400 });
    const init = await api('POST', '/api/ai-workflows/initialize', initializeBody({ auto_advance: true, approval_required: [] }));
    const id = init.body.workflow_id as string;
    await until('the model request', async () => (callsFor(id, 'DISCOVERY').length === 1 ? true : undefined));
    const running = await statusWhen(id, (s) => s.llm.running !== null);
    expect(running.current_state).toBe('DISCOVERY');

    const noReason = await api('POST', `/api/ai-workflows/${id}/cancel`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details).toEqual([expect.objectContaining({ field: 'reason' })]);

    const cancelled = await api('POST', `/api/ai-workflows/${id}/cancel`, { reason: 'requirements withdrawn' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toEqual({ workflow_id: id, previous_state: 'DISCOVERY', current_state: 'CANCELLED' });
    const status = await statusWhen(id, (s) => s.current_state === 'CANCELLED');
    expect(status).toMatchObject({ is_complete: false, next_role: null, cancelled: { reason: 'requirements withdrawn' }, llm: { running: null } });
    expect(openai.calls.at(-1)!.respondedAtMs).toBeUndefined();

    const later = [
      api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'x' }),
      api('POST', `/api/ai-workflows/${id}/run-phase`, {}),
      api('POST', `/api/ai-workflows/${id}/approve`, {}),
      api('POST', `/api/ai-workflows/${id}/reject`, { comment: 'no' }),
      api('POST', `/api/ai-workflows/${id}/send-back`, { to_phase: 'DISCOVERY', reason: 'again' }),
      api('POST', `/api/ai-workflows/${id}/cancel`, { reason: 'twice' }),
    ];
    expect((await Promise.all(later)).map((r) => [r.status, r.body.error?.code])).toEqual(Array.from({ length: 6 }, () => [409, 'CONFLICT']));
    expect((await api('POST', `/api/ai-workflows/get-ai-prompt/${id}`)).status).toBe(409);

    // The late answer: recorded, its cost counted, nothing else changed.
    const settled = await statusWhen(id, (s) => s.usage.total.calls === 1);
    expect(settled).toMatchObject({ current_state: 'CANCELLED', completed_phases: [], progress: 0 });
    expect(settled.usage.total.cost_usd).toBeGreaterThan(0);
    const types = (await events(id)).map((e) => e.type);
    expect(types).toEqual(['WorkflowInitialized', 'LlmCallRequested', 'WorkflowCancelled', 'LlmCallSucceeded']);

    // The listing filters on CANCELLED.
    const listed = await api('GET', '/api/ai-workflows?state=CANCELLED&limit=500');
    expect(listed.status).toBe(200);
    expect(listed.body.workflows.map((w: { workflow_id: string }) => w.workflow_id)).toContain(id);
    expect(listed.body.workflows.every((w: { current_state: string }) => w.current_state === 'CANCELLED')).toBe(true);

    // A COMPLETE workflow cannot be cancelled.
    const manual = (await api('POST', '/api/ai-workflows/initialize', initializeBody({ approval_required: [] }))).body.workflow_id as string;
    for (const _ of PHASES) await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: manual, ai_response: 'done' });
    expect((await api('POST', `/api/ai-workflows/${manual}/cancel`, { reason: 'late' })).status).toBe(409);
  });

  it('a call not yet started when its workflow is cancelled is never made', async () => {
    // The llm-runner is down: the requested call waits in its queue while the workflow is cancelled.
    await system.kill('llm-runner');
    const init = await api('POST', '/api/ai-workflows/initialize', initializeBody({ auto_advance: true, approval_required: [] }));
    const id = init.body.workflow_id as string;
    expect((await api('POST', `/api/ai-workflows/${id}/cancel`, { reason: 'changed our minds' })).status).toBe(200);
    await system.start('llm-runner');
    await system.waitReady();
    // A later workflow's call is made, so the queue has been worked past the abandoned one.
    const later = (await api('POST', '/api/ai-workflows/initialize', initializeBody({ auto_advance: true, approval_required: ['DISCOVERY'] }))).body
      .workflow_id as string;
    await awaiting(later, 'DISCOVERY');
    expect(callsFor(id, 'DISCOVERY')).toEqual([]);
    expect((await events(id)).map((e) => e.type)).toEqual(['WorkflowInitialized', 'LlmCallRequested', 'WorkflowCancelled']);
    await waitFor('the llm-runner to skip the abandoned call', async () => (await system.logs('llm-runner')).includes('call abandoned: not calling the model'));
    expect(callsFor(id, 'DISCOVERY')).toEqual([]);
  });

  it('send-back from VERIFICATION to IMPLEMENTATION: later answers superseded, the reason in the re-run prompt; then completion', async () => {
    const init = await api('POST', '/api/ai-workflows/initialize', initializeBody({ auto_advance: true, approval_required: ['VERIFICATION'] }));
    const id = init.body.workflow_id as string;
    const atVerification = await awaiting(id, 'VERIFICATION');
    expect(atVerification.completed_phases).toEqual(['DISCOVERY', 'PLANNING', 'IMPLEMENTATION', 'TESTING']);

    // to_phase must come before the current state, and be a phase: both named.
    const forward = await api('POST', `/api/ai-workflows/${id}/send-back`, { to_phase: 'DEPLOYMENT', reason: 'x' });
    expect(forward.status).toBe(409);
    expect(forward.body.error.details).toEqual([expect.objectContaining({ field: 'to_phase' })]);
    const unknown = await api('POST', `/api/ai-workflows/${id}/send-back`, { to_phase: 'CODING', reason: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([expect.objectContaining({ field: 'to_phase' })]);

    const reason = 'The verifier found the e2e-1 change breaks the login flow';
    const sent = await api('POST', `/api/ai-workflows/${id}/send-back`, { to_phase: 'IMPLEMENTATION', reason });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toMatchObject({
      previous_state: 'VERIFICATION',
      new_state: 'IMPLEMENTATION',
      next_role: 'CODE_WRITER',
      superseded_phases: ['IMPLEMENTATION', 'TESTING'],
    });
    expect(sent.body.call_id).toMatch(/^[0-9a-f-]{36}$/);

    // The re-run follows the current path: the reason in, the superseded answers out.
    await until('the re-run of IMPLEMENTATION', async () => (callsFor(id, 'IMPLEMENTATION').length === 2 ? true : undefined));
    const rerun = sentText(callsFor(id, 'IMPLEMENTATION')[1]!);
    expect(rerun).toContain(reason);
    expect(rerun).toContain('sent back to you from VERIFICATION');
    expect(rerun).not.toContain('Answer for IMPLEMENTATION');
    expect(rerun).not.toContain('Answer for TESTING');

    const again = await awaiting(id, 'VERIFICATION');
    expect(again.completed_phases).toEqual(['DISCOVERY', 'PLANNING', 'IMPLEMENTATION', 'TESTING']);
    expect((await api('POST', `/api/ai-workflows/${id}/approve`, {})).status).toBe(200);
    const done = await statusWhen(id, (s) => s.is_complete);
    expect(done).toMatchObject({ current_state: 'COMPLETE', completed_phases: [...PHASES], progress: 1 });
    expect(done.usage.total.calls).toBe(9);

    const stored = await events(id);
    const sentBack = stored.find((e) => e.type === 'PhaseSentBack')!;
    expect(sentBack.data).toMatchObject({ fromState: 'VERIFICATION', toPhase: 'IMPLEMENTATION', reason, supersededPhases: ['IMPLEMENTATION', 'TESTING'] });
    // The superseded answers stay in the history.
    expect(stored.filter((e) => e.type === 'PhaseCompleted').map((e) => (e.data as { phase: string }).phase)).toEqual([
      'DISCOVERY',
      'PLANNING',
      'IMPLEMENTATION',
      'TESTING',
      'IMPLEMENTATION',
      'TESTING',
      'VERIFICATION',
      'DEPLOYMENT',
    ]);
    // Time travel shows the path as it was before the send-back.
    const before = await api('GET', `/api/ai-workflows/status/${id}?at=${sentBack.revision - 1}`);
    expect(before.body).toMatchObject({ current_state: 'VERIFICATION', awaiting_approval: { phase: 'VERIFICATION' } });
  });

  it('reject, send-back and cancel retried with their Idempotency-Key answer the same and write once; a stale If-Match writes nothing', async () => {
    // By hand, no model: DISCOVERY gated, then answered.
    const id = (await api('POST', '/api/ai-workflows/initialize', initializeBody({ approval_required: ['DISCOVERY'] }))).body.workflow_id as string;
    const answer = () => api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'the needs' });
    expect((await answer()).body.awaiting_approval).toBe(true);
    const once = async (path: string, body: unknown, key: string) => {
      const first = await api('POST', `/api/ai-workflows/${id}/${path}`, body, { 'Idempotency-Key': key });
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      const head = await store.headPosition();
      const again = await api('POST', `/api/ai-workflows/${id}/${path}`, body, { 'Idempotency-Key': key });
      expect(again.body).toEqual(first.body);
      expect(await store.headPosition()).toBe(head);
      return first;
    };
    expect((await once('reject', { comment: 'name the users' }, `reject-${id}`)).body).toMatchObject({ new_state: 'DISCOVERY' });
    await answer();
    await api('POST', `/api/ai-workflows/${id}/approve`, {});
    await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'the plan' });
    expect((await once('send-back', { to_phase: 'DISCOVERY', reason: 'the users changed' }, `send-back-${id}`)).body).toMatchObject({
      previous_state: 'IMPLEMENTATION',
      new_state: 'DISCOVERY',
      superseded_phases: ['DISCOVERY', 'PLANNING'],
    });

    // If-Match: a stale ETag is 412 and writes nothing; the current one applies.
    const etag = (await api('GET', `/api/ai-workflows/status/${id}`)).headers.get('etag')!;
    const head = await store.headPosition();
    const stale = await api('POST', `/api/ai-workflows/${id}/cancel`, { reason: 'stale' }, { 'If-Match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.error.details).toEqual([expect.objectContaining({ field: 'If-Match', reason: `the current ETag is ${etag}` })]);
    expect(await store.headPosition()).toBe(head);
    const cancelled = await api('POST', `/api/ai-workflows/${id}/cancel`, { reason: 'done here' }, { 'If-Match': etag, 'Idempotency-Key': `cancel-${id}` });
    expect(cancelled.body).toEqual({ workflow_id: id, previous_state: 'DISCOVERY', current_state: 'CANCELLED' });
    const replayed = await api('POST', `/api/ai-workflows/${id}/cancel`, { reason: 'done here' }, { 'If-Match': etag, 'Idempotency-Key': `cancel-${id}` });
    expect(replayed.status).toBe(200);
    expect(replayed.body).toEqual(cancelled.body);
    const types = (await events(id)).map((e) => e.type);
    for (const [type, count] of [
      ['PhaseRejected', 1],
      ['PhaseSentBack', 1],
      ['WorkflowCancelled', 1],
    ] as const) {
      expect(types.filter((t) => t === type)).toHaveLength(count);
    }
  });
});
