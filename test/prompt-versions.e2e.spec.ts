import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeLlmServer } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, initializeBody } from './support/http';
import { phaseAnswer } from './support/phase-answers';
import { startSystem, type System } from './support/system';
import { poll, waitForStatus } from './support/wait';

const OPENAI_KEY = 'sk-e2e-prompt-versions-0123456789';
const bundledRoles = fileURLToPath(new URL('../packages/prompts/roles', import.meta.url));

/**
 * Prompt versions over real processes: the orchestrator reads PROMPTS_DIR at start; a workflow
 * keeps the prompts it started with when a file changes and the orchestrator restarts, and
 * role_prompts replaces a role's prompt for one workflow.
 */
describe('prompt versions', () => {
  let system: System;
  let openai: FakeLlmServer;
  let promptsDir: string;
  const api = (method: string, path: string, body?: unknown) => http(system.baseUrl, method, path, body);
  const library = async () => {
    const res = await api('GET', '/api/prompts');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return Object.fromEntries((res.body.prompts as { role: string }[]).map((p) => [p.role, p])) as Record<string, any>;
  };
  const completeTo = async (id: string, phases: string[]) => {
    for (const phase of phases) {
      const done = await api('POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: `${phase} done`, expected_state: phase });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
    }
  };

  beforeAll(async () => {
    promptsDir = mkdtempSync(join(tmpdir(), 'topdog-prompts-'));
    cpSync(bundledRoles, promptsDir, { recursive: true });
    openai = await FakeLlmServer.start('openai', { apiKey: OPENAI_KEY, answer: phaseAnswer });
    system = await startSystem({ PROMPTS_DIR: promptsDir, OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: openai.url });
  });
  afterAll(async () => {
    if (system) expect(await system.refusals()).toEqual([]);
    await system?.[Symbol.asyncDispose]();
    await openai?.close();
    rmSync(promptsDir, { recursive: true, force: true });
  });

  it('lists each role prompt with its phases, version, hash and text', async () => {
    const prompts = await library();
    expect(Object.keys(prompts)).toEqual(['Q_ASSISTANT', 'CODE_WRITER', 'TEST_AUDITOR', 'VERIFIER', 'RELEASE_MANAGER']);
    expect(prompts.Q_ASSISTANT).toMatchObject({ phases: ['DISCOVERY', 'PLANNING'], version: expect.stringMatching(/^q_assistant@[0-9a-f]{12}$/) });
    expect(prompts.CODE_WRITER.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(prompts.CODE_WRITER.text.length).toBeGreaterThan(100);
  });

  it('keeps the prompt a workflow started with after the file changes and the orchestrator restarts', async () => {
    const before = (await library()).CODE_WRITER;
    const init = await api('POST', '/api/ai-workflows/initialize', initializeBody({ role_prompts: { VERIFIER: 'Verify like a hawk: name every gap.' } }));
    expect(init.status, JSON.stringify(init.body)).toBe(200);
    const id = init.body.workflow_id as string;
    const started = await waitForStatus(system.baseUrl, id, () => true);
    expect(started.prompt_versions).toMatchObject({ CODE_WRITER: before.version, VERIFIER: expect.stringMatching(/^custom@[0-9a-f]{12}$/) });
    await completeTo(id, ['DISCOVERY', 'PLANNING']);

    writeFileSync(join(promptsDir, 'code_writer.md'), 'You are CODE_WRITER, second edition: write the tests first.\n');
    await system.kill('orchestrator');
    await system.start('orchestrator');
    await system.waitReady();
    const after = (await library()).CODE_WRITER;
    expect(after.version).not.toBe(before.version);
    expect(after.text).toBe('You are CODE_WRITER, second edition: write the tests first.');

    // What get-ai-prompt shows and what the model is sent are both the version it started with.
    const shown = await api('POST', `/api/ai-workflows/get-ai-prompt/${id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.prompt_version).toBe(before.version);
    expect(shown.headers.get('x-prompt-version')).toBe(before.version);
    expect(shown.body.messages[0].content).toContain(`}\n\n${before.text}`); // after the requirements
    const run = await api('POST', `/api/ai-workflows/${id}/run-phase`, {});
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    expect(run.body.prompt_version).toBe(before.version);
    const sent = await poll('the IMPLEMENTATION request', () => openai.calls.find((c) => JSON.stringify(c.body).includes(id)));
    const system0 = (sent.body!.messages as { content: string }[])[0]!.content;
    expect(system0).toContain(`}\n\n${before.text}`);
    expect(system0).not.toContain('second edition');

    // Its own VERIFIER prompt, when it gets there.
    await waitForStatus(system.baseUrl, id, (s) => s.llm.last_call?.status === 'succeeded');
    await completeTo(id, ['IMPLEMENTATION', 'TESTING']);
    const verifier = await api('POST', `/api/ai-workflows/get-ai-prompt/${id}`);
    expect(verifier.body.prompt_version).toBe(started.prompt_versions.VERIFIER);
    expect(verifier.body.messages[0].content).toMatch(/\}\n\nVerify like a hawk: name every gap\./);

    // A workflow started now gets the new file.
    const fresh = await api('POST', '/api/ai-workflows/initialize', initializeBody());
    const freshStatus = await waitForStatus(system.baseUrl, fresh.body.workflow_id, () => true);
    expect(freshStatus.prompt_versions.CODE_WRITER).toBe(after.version);
  });

  it('names a bad role_prompts entry and writes nothing', async () => {
    const res = await api('POST', '/api/ai-workflows/initialize', initializeBody({ role_prompts: { CODE_WRITR: 'typo', VERIFIER: ' ' } }));
    expect(res.status).toBe(400);
    const fields = (res.body.error.details as { field: string }[]).map((d) => d.field).sort();
    expect(fields).toEqual(['role_prompts.CODE_WRITR', 'role_prompts.VERIFIER']);
  });
});
