import { PHASES, workflowStreamId } from '@topdog/contracts';
import type { JetStreamEventStore } from '@topdog/event-store';
import { FakeLlmServer, type RecordedRequest } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, initializeBody } from './support/http';
import { phaseAnswer, phaseOf } from './support/phase-answers';
import { startSystem, type System } from './support/system';
import { waitForStatus } from './support/wait';

/**
 * Forking over real processes: a workflow recorded with one local model is forked at TESTING
 * with another; the local OpenAI-wire server shows which phases were paid for again.
 */
describe('fork', () => {
  let system: System;
  let local: FakeLlmServer;
  let store: JetStreamEventStore;
  const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => http(system.baseUrl, method, path, body, headers);
  /** The model requests made for one workflow (its id is in the system message). */
  const requestsFor = (id: string): RecordedRequest[] => local.calls.filter((c) => JSON.stringify(c.body).includes(id));
  const completed = (id: string) => waitForStatus(system.baseUrl, id, (s) => s.is_complete, 60_000);

  beforeAll(async () => {
    local = await FakeLlmServer.start('openai', { answer: phaseAnswer });
    system = await startSystem({ LOCAL_LLM_BASE_URL: local.url, LLM_RETRY_BASE_MS: '20' });
    store = await system.eventStore();
  });
  afterAll(async () => {
    if (system) expect(await system.refusals()).toEqual([]);
    await system?.[Symbol.asyncDispose]();
    await local?.close();
  });

  it('forks at TESTING with another model: no request for the phases before it, the fork completes, compare shows both, its audit verifies', async () => {
    const init = await api('POST', '/api/ai-workflows/initialize', initializeBody({ model: 'local:model-a', auto_advance: true }));
    expect(init.status, JSON.stringify(init.body)).toBe(200);
    const parent = init.body.workflow_id as string;
    const parentStatus = await completed(parent);
    expect(requestsFor(parent).map((r) => phaseOf(r.body!))).toEqual([...PHASES]);

    const forked = await api('POST', `/api/ai-workflows/${parent}/fork`, { from_phase: 'TESTING', model: 'local:model-b' });
    expect(forked.status, JSON.stringify(forked.body)).toBe(201);
    const fork = forked.body.workflow_id as string;
    // The parent's revision: its status ETag.
    const parentRevision = Number((await api('GET', `/api/ai-workflows/status/${parent}`)).headers.get('etag')!.replaceAll('"', ''));
    expect(forked.body).toMatchObject({ forked_from: { workflow_id: parent, phase: 'TESTING', revision: parentRevision }, call_id: expect.any(String) });

    const done = await completed(fork);
    expect(done).toMatchObject({ completed_phases: [...PHASES], forked_from: forked.body.forked_from, prompt_versions: parentStatus.prompt_versions });
    expect(done.usage.total.calls).toBe(3);
    // Paid for once: the fork's requests are the three phases from TESTING on, all to the new model.
    const sent = requestsFor(fork);
    expect(sent.map((r) => phaseOf(r.body!))).toEqual(['TESTING', 'VERIFICATION', 'DEPLOYMENT']);
    expect(sent.map((r) => r.body!.model)).toEqual(['model-b', 'model-b', 'model-b']);
    // The copied answers are in the fork's prompts: TESTING's request carries IMPLEMENTATION's result.
    const parentEvents = await store.readStream(workflowStreamId(parent));
    const parentImplementation = parentEvents.find((e) => e.type === 'PhaseCompleted' && (e.data as { phase: string }).phase === 'IMPLEMENTATION')!;
    expect(JSON.stringify(sent[0]!.body)).toContain('### IMPLEMENTATION (CODE_WRITER)');

    const compare = await api('GET', `/api/ai-workflows/compare?a=${parent}&b=${fork}`);
    expect(compare.status).toBe(200);
    expect(compare.body.b.forked_from).toEqual(forked.body.forked_from);
    const byPhase = Object.fromEntries(compare.body.phases.map((p: { phase: string }) => [p.phase, p]));
    for (const phase of ['DISCOVERY', 'PLANNING', 'IMPLEMENTATION']) {
      expect(byPhase[phase]).toMatchObject({ same_response: true, a: { model: 'local:model-a', calls: 1 }, b: { model: null, calls: 0, cost_usd: 0 } });
      expect(byPhase[phase].b.copied_from.workflow_id).toBe(parent);
    }
    expect(byPhase.IMPLEMENTATION.b.copied_from.revision).toBe(parentImplementation.revision);
    for (const phase of ['TESTING', 'VERIFICATION', 'DEPLOYMENT']) {
      expect(byPhase[phase]).toMatchObject({ a: { model: 'local:model-a', copied_from: null }, b: { model: 'local:model-b', calls: 1, copied_from: null } });
    }
    expect(compare.body.b.totals.calls).toBe(3);

    // Its own hash chain verifies, and its first event names the parent's hash at the fork point.
    const verified = await api('GET', `/api/ai-workflows/${fork}/audit/verify`);
    expect(verified.body).toMatchObject({ ok: true, unchained_events: 0 });
    const forkAudit = await api('GET', `/api/ai-workflows/${fork}/audit`);
    const parentAudit = await api('GET', `/api/ai-workflows/${parent}/audit?limit=500`);
    const atForkPoint = parentAudit.body.events.find((r: { revision: number }) => r.revision === parentRevision);
    expect(forkAudit.body.events[0].data.forkedFrom).toEqual({ workflowId: parent, phase: 'TESTING', revision: parentRevision, hash: atForkPoint.hash });
    expect(forkAudit.body.events[0].metadata.prevHash ?? null).toBeNull();
    expect(forkAudit.body.events.slice(1, 4).map((r: { data: { copiedFrom: unknown } }) => r.data.copiedFrom)).toEqual(
      parentEvents
        .filter((e) => e.type === 'PhaseCompleted' && ['DISCOVERY', 'PLANNING', 'IMPLEMENTATION'].includes((e.data as { phase: string }).phase))
        .map((e) => ({ workflowId: parent, revision: e.revision })),
    );
  });

  it('gives a retried fork (same Idempotency-Key) the same workflow, and names bad input without writing', async () => {
    const init = await api('POST', '/api/ai-workflows/initialize', initializeBody({ project_id: 'p-fork' }));
    const parent = init.body.workflow_id as string;
    await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: parent, ai_response: 'the needs' });
    const key = { 'idempotency-key': `fork-${parent}` };
    const first = await api('POST', `/api/ai-workflows/${parent}/fork`, { from_phase: 'PLANNING', requirements: { goal: 'smaller' } }, key);
    const again = await api('POST', `/api/ai-workflows/${parent}/fork`, { from_phase: 'PLANNING', requirements: { goal: 'smaller' } }, key);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await store.readStream(workflowStreamId(first.body.workflow_id))).toHaveLength(2);
    const status = await waitForStatus(system.baseUrl, first.body.workflow_id, () => true);
    expect(status).toMatchObject({ current_state: 'PLANNING', completed_phases: ['DISCOVERY'], llm: { auto_advance: false } });
    const prompt = await api('POST', `/api/ai-workflows/get-ai-prompt/${first.body.workflow_id}`);
    expect(prompt.body.messages[0].content).toContain('"goal": "smaller"');

    const head = await store.headPosition();
    const bad = async (body: unknown, status: number, field: string) => {
      const res = await api('POST', `/api/ai-workflows/${parent}/fork`, body);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.error.details).toEqual([expect.objectContaining({ field })]);
    };
    await bad({ from_phase: 'COMPLETE' }, 400, 'from_phase');
    await bad({ from_phase: 'TESTING', model: 'no-such-model' }, 400, 'model');
    await bad({ from_phase: 'TESTING', role_prompts: { NOBODY: 'x' } }, 400, 'role_prompts.NOBODY');
    await bad({ from_phase: 'TESTING', extra: 1 }, 400, 'extra');
    // The parent has completed DISCOVERY only.
    await bad({ from_phase: 'IMPLEMENTATION' }, 409, 'from_phase');
    const unknown = await api('POST', `/api/ai-workflows/00000000-0000-4000-8000-00000000abcd/fork`, { from_phase: 'DISCOVERY' });
    expect(unknown.status).toBe(404);
    expect(await store.headPosition()).toBe(head);
  });
});
