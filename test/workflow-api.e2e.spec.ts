import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { PHASES, workflowStreamId } from '@topdog/contracts';
import { JetStreamEventStore } from '@topdog/event-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, initializeBody, postLargeBody } from './support/http';
import { startSystem, type System } from './support/system';

const ROLES = ['Q_ASSISTANT', 'Q_ASSISTANT', 'CODE_WRITER', 'TEST_AUDITOR', 'VERIFIER', 'RELEASE_MANAGER'];

describe('REST API over the four services as separate processes', () => {
  let system: System;
  const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => http(system.baseUrl, method, path, body, headers);
  const init = async (extra: Record<string, unknown> = {}) => {
    const r = await api('POST', '/api/ai-workflows/initialize', initializeBody(extra));
    expect(r.status).toBe(200);
    return r.body.workflow_id as string;
  };

  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(async () => {
    await system?.[Symbol.asyncDispose]();
  });

  it('walks a workflow through all six phases, with status right after every step', async () => {
    const r = await api('POST', '/api/ai-workflows/initialize', initializeBody());
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      workflow_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      initial_state: 'DISCOVERY',
      system_prompt: expect.stringContaining('You are Q Assistant'),
      next_action: expect.any(String),
    });
    const id = r.body.workflow_id;
    let status = await api('GET', `/api/ai-workflows/status/${id}`);
    // The seed's fields exactly, plus the fields added since (usage, llm; awaiting_approval, cancelled; prompt_versions, forked_from; models).
    const seedFields = (body: Record<string, unknown>) => {
      const { usage, llm, awaiting_approval, cancelled, prompt_versions, forked_from, models, ...seed } = body;
      expect(new Set(Object.values(models as object))).toEqual(new Set(['gpt-4']));
      expect({ awaiting_approval, cancelled, forked_from }).toEqual({ awaiting_approval: null, cancelled: null, forked_from: null });
      expect(Object.keys(prompt_versions as object)).toEqual(['Q_ASSISTANT', 'CODE_WRITER', 'TEST_AUDITOR', 'VERIFIER', 'RELEASE_MANAGER']);
      expect(usage).toMatchObject({ total: { calls: 0, cost_usd: 0 }, budget: { max_cost_usd: null, max_tokens: null } });
      expect(llm).toEqual({ auto_advance: false, running: null, last_call: null, stopped: null });
      return seed;
    };
    expect(seedFields(status.body)).toEqual({
      workflow_id: id,
      current_state: 'DISCOVERY',
      progress: 0,
      completed_phases: [],
      next_role: 'Q_ASSISTANT',
      is_complete: false,
    });
    for (let i = 0; i < 6; i++) {
      const prompt = await api('POST', `/api/ai-workflows/get-ai-prompt/${id}`);
      expect(prompt.status).toBe(200);
      expect(prompt.body).toMatchObject({ model: 'gpt-4', temperature: 0.7, max_tokens: 2000 });
      expect(prompt.body.messages[0].role).toBe('system');
      expect(prompt.body.messages[0].content).toContain(`Current state: ${PHASES[i]}`);

      const done = await api('POST', '/api/ai-workflows/complete-phase', {
        workflow_id: id,
        ai_response: `${PHASES[i]} output`,
        phase_result: { phase: PHASES[i] },
      });
      expect(done.status).toBe(200);
      expect(done.body).toEqual({
        workflow_id: id,
        previous_state: PHASES[i],
        new_state: PHASES[i + 1] ?? 'COMPLETE',
        next_role: ROLES[i + 1] ?? null,
        next_action: expect.any(String),
        is_complete: i === 5,
        awaiting_approval: false,
      });
      status = await api('GET', `/api/ai-workflows/status/${id}`);
      expect(status.status).toBe(200);
      expect(seedFields(status.body)).toEqual({
        workflow_id: id,
        current_state: PHASES[i + 1] ?? 'COMPLETE',
        progress: (i + 1) / 6,
        completed_phases: PHASES.slice(0, i + 1),
        next_role: ROLES[i + 1] ?? null,
        is_complete: i === 5,
      });
      expect(status.headers.get('etag')).toBe(done.headers.get('etag'));
    }
    const promptAfter = await api('POST', `/api/ai-workflows/get-ai-prompt/${id}`);
    expect(promptAfter.status).toBe(409);
  });

  it("keeps each role's conversation: the prompt carries its own earlier answers", async () => {
    const id = await init({ model: 'claude', temperature: 0.2, max_tokens: 500 });
    await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'the requirements document' });
    const prompt = await api('POST', `/api/ai-workflows/get-ai-prompt/${id}`);
    expect(prompt.body).toMatchObject({ model: 'claude', temperature: 0.2, max_tokens: 500 });
    expect(prompt.body.messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(prompt.body.messages[2].content).toBe('the requirements document');
    expect(prompt.headers.get('x-prompt-version')).toMatch(/^q_assistant@/);
  });

  it('twenty concurrent completions with expected_state: exactly one wins, nineteen get 409', async () => {
    const id = await init();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'x', expected_state: 'DISCOVERY' })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    expect(results.find((r) => r.status === 409)?.body.error.code).toBe('CONFLICT');
  });

  it('twenty concurrent completions without it: exactly six win, one per phase, in order', async () => {
    const id = await init();
    const results = await Promise.all(Array.from({ length: 20 }, () => api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'x' })));
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(6);
    expect(results.filter((r) => r.status === 409)).toHaveLength(14);
    expect(won.map((r) => r.body.previous_state).sort((a, b) => PHASES.indexOf(a) - PHASES.indexOf(b))).toEqual([...PHASES]);
    expect((await api('GET', `/api/ai-workflows/status/${id}`)).body).toMatchObject({ is_complete: true, completed_phases: [...PHASES] });
  });

  it('completes only at the ETag named by If-Match (412 otherwise), and writes nothing on a mismatch', async () => {
    const id = await init();
    const status = await api('GET', `/api/ai-workflows/status/${id}`);
    const etag = status.headers.get('etag')!;
    expect(etag).toBe('"0"');
    const ok = await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'x' }, { 'If-Match': etag });
    expect(ok.status).toBe(200);
    const stale = await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'y' }, { 'If-Match': etag });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('PRECONDITION_FAILED');
    expect((await api('GET', `/api/ai-workflows/status/${id}`)).body.completed_phases).toEqual(['DISCOVERY']);
    const wrongState = await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'y', expected_state: 'DISCOVERY' });
    expect(wrongState.status).toBe(409);
    expect(wrongState.body.error.details).toEqual([{ field: 'expected_state', reason: 'the workflow is in PLANNING' }]);
    const badIfMatch = await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'y' }, { 'If-Match': 'banana' });
    expect(badIfMatch.status).toBe(400);
    expect(badIfMatch.body.error.details[0].field).toBe('If-Match');
  });

  it('echoes the correlation id it records with the command', async () => {
    const r = await api('POST', '/api/ai-workflows/initialize', initializeBody(), { 'X-Correlation-Id': 'trace-42' });
    expect(r.headers.get('x-correlation-id')).toBe('trace-42');
    const nc = await connect({ servers: system.nats.url });
    try {
      const store = await JetStreamEventStore.create(nc, { prefix: system.prefix });
      const [event] = await store.readStream(workflowStreamId(r.body.workflow_id));
      expect(event).toMatchObject({ type: 'WorkflowInitialized', correlationId: 'trace-42', actor: 'key:bootstrap-admin', causationId: null });
    } finally {
      await nc.close();
    }
    const generated = await api('POST', '/api/ai-workflows/initialize', initializeBody());
    expect(generated.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('applies a command once per Idempotency-Key and answers a retry the same', async () => {
    const key = randomUUID();
    const first = await api('POST', '/api/ai-workflows/initialize', initializeBody(), { 'Idempotency-Key': key });
    const again = await api('POST', '/api/ai-workflows/initialize', initializeBody(), { 'Idempotency-Key': key });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const other = await api('POST', '/api/ai-workflows/initialize', initializeBody({ project_id: 'other' }), { 'Idempotency-Key': key });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const id = first.body.workflow_id;
    const completeKey = randomUUID();
    const body = { workflow_id: id, ai_response: 'once' };
    const results = await Promise.all([1, 2, 3].map(() => api('POST', '/api/ai-workflows/complete-phase', body, { 'Idempotency-Key': completeKey })));
    for (const r of results) {
      expect(r.status).toBe(200);
      expect(r.body).toEqual(results[0]!.body);
    }
    expect((await api('GET', `/api/ai-workflows/status/${id}`)).body.completed_phases).toEqual(['DISCOVERY']);
  });

  describe('bad input: a clear 4xx naming the field, nothing written, no crash', () => {
    it('400 names every bad field of initialize, the unknown model among them', async () => {
      const r = await api('POST', '/api/ai-workflows/initialize', { project_id: 7, model: 'gpt-imaginary', temperature: 3, colour: 'red' });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
      expect(r.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['colour', 'model', 'project_id', 'temperature', 'user_id']);
    });

    it('400 for malformed JSON, a non-object body, an empty body and a bad workflow id', async () => {
      for (const body of ['{"project_id":', '[1,2]', '"text"', 'null']) {
        const r = await api('POST', '/api/ai-workflows/initialize', body);
        expect(r.status, body).toBe(400);
        expect(r.body.error.code).toBe('VALIDATION_FAILED');
        expect(r.body.error.details[0].field).toBe('(body)');
      }
      const empty = await api('POST', '/api/ai-workflows/complete-phase', undefined);
      expect(empty.status).toBe(400);
      const badId = await api('GET', '/api/ai-workflows/status/not-a-uuid');
      expect(badId.status).toBe(400);
      expect(badId.body.error.details).toEqual([{ field: 'workflow_id', reason: expect.any(String) }]);
      const badComplete = await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: 'x', ai_response: '', expected_state: 'LUNCH' });
      expect(badComplete.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['ai_response', 'expected_state', 'workflow_id']);
    });

    it('404 for an unknown workflow or endpoint, 413 for a body over the limit, 415 for a non-JSON body', async () => {
      const unknown = randomUUID();
      expect((await api('GET', `/api/ai-workflows/status/${unknown}`)).status).toBe(404);
      expect((await api('POST', `/api/ai-workflows/get-ai-prompt/${unknown}`)).status).toBe(404);
      const complete = await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: unknown, ai_response: 'x' });
      expect(complete.status).toBe(404);
      expect(complete.body.error.code).toBe('NOT_FOUND');
      expect((await api('GET', '/api/nothing-here')).body.error.code).toBe('NOT_FOUND');
      const big = await postLargeBody(
        `${system.baseUrl}/api/ai-workflows/initialize`,
        JSON.stringify(initializeBody({ requirements: { text: 'x'.repeat(1024 * 1024) } })),
      );
      expect(big.status).toBe(413);
      expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      const text = await api('POST', '/api/ai-workflows/initialize', 'hello', { 'content-type': 'text/plain' });
      expect(text.status).toBe(415);
      expect(text.body.error.details[0].field).toBe('Content-Type');
    });

    it('stays up: health and a normal request still work after all of the above', async () => {
      expect((await api('GET', '/healthz')).status).toBe(200);
      expect((await api('GET', '/readyz')).status).toBe(200);
      await init();
    });

    it('serves the OpenAPI document generated from the schemas', async () => {
      const doc = await api('GET', '/docs/json');
      expect(doc.status).toBe(200);
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining([
          '/api/ai-workflows/initialize',
          '/api/ai-workflows/complete-phase',
          '/api/ai-workflows/status/{workflow_id}',
          '/api/ai-workflows/get-ai-prompt/{workflow_id}',
          '/api/ai-workflows/{workflow_id}/approve',
          '/api/ai-workflows/{workflow_id}/reject',
          '/api/ai-workflows/{workflow_id}/send-back',
          '/api/ai-workflows/{workflow_id}/cancel',
        ]),
      );
      expect(doc.body.paths['/api/ai-workflows/initialize'].post.requestBody.content['application/json'].schema).toBeDefined();
      expect(doc.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(doc.body.security).toEqual([{ bearer: [] }]);
      expect((await api('GET', '/docs')).status).toBe(200);
    });

    it("serves Swagger UI's files as a file server does: HEAD with the GET's length, revalidation by ETag, 404 in the error shape", async () => {
      const path = `${system.baseUrl}/docs/static/swagger-ui.css`;
      const css = await fetch(path);
      const body = Buffer.from(await css.arrayBuffer());
      expect([css.status, css.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
      const head = await fetch(path, { method: 'HEAD' });
      expect([head.status, head.headers.get('content-length')]).toEqual([200, String(body.length)]);
      // fetch adds Cache-Control: no-cache to a conditional request unless given one, and a file server answers that in full.
      const again = await fetch(path, { headers: { 'if-none-match': css.headers.get('etag')!, 'cache-control': 'max-age=0' } });
      expect(again.status).toBe(304);
      const missing = await api('GET', '/docs/static/no-such-file.js');
      expect([missing.status, missing.body.error.code]).toEqual([404, 'NOT_FOUND']);
    });
  });
});
