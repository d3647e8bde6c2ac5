import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TopDogClient } from '@topdog/client';
import { PHASES } from '@topdog/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_KEY, bearer } from './support/credentials';
import { http, initializeBody } from './support/http';
import { startSystem, type System } from './support/system';

const bin = fileURLToPath(new URL('../packages/cli/dist/topdog.mjs', import.meta.url));

/** Comparing two recorded workflows over the real services: HTTP, the client and the CLI. */
describe('compare', () => {
  let system: System;
  let client: TopDogClient;
  let a: string;
  let b: string;

  /** A workflow of project p1 driven by hand through every phase, each answer from `answer`. */
  async function recorded(answer: (phase: string) => string, result: (phase: string) => Record<string, unknown>): Promise<string> {
    const init = await http(system.baseUrl, 'POST', '/api/ai-workflows/initialize', initializeBody({ project_id: 'p1' }));
    const id = init.body.workflow_id as string;
    for (const phase of PHASES) {
      const done = await http(system.baseUrl, 'POST', '/api/ai-workflows/complete-phase', {
        workflow_id: id,
        ai_response: answer(phase),
        phase_result: result(phase),
      });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
    }
    return id;
  }

  beforeAll(async () => {
    system = await startSystem();
    client = new TopDogClient({ baseUrl: system.baseUrl, apiKey: TEST_ADMIN_KEY });
    a = await recorded(
      (p) => `${p} answer\nshared line\nfirst take`,
      (p) => ({ status: 'done', phase: p }),
    );
    b = await recorded(
      (p) => (p === 'TESTING' ? `${p} answer\nshared line\nsecond take` : `${p} answer\nshared line\nfirst take`),
      (p) => ({ status: p === 'TESTING' ? 'redone' : 'done', phase: p }),
    );
  });
  afterAll(async () => {
    await system?.[Symbol.asyncDispose]();
  });

  it('puts both answers of each phase side by side, with a diff and the results’ differences where they differ', async () => {
    const res = await http(system.baseUrl, 'GET', `/api/ai-workflows/compare?a=${a}&b=${b}`);
    expect(res.status).toBe(200);
    expect(res.body.a).toMatchObject({ workflow_id: a, current_state: 'COMPLETE', project_id: 'p1' });
    expect(res.body.b.workflow_id).toBe(b);
    const byPhase = Object.fromEntries(res.body.phases.map((p: { phase: string }) => [p.phase, p]));
    expect(Object.keys(byPhase)).toEqual([...PHASES]);
    expect(byPhase.DISCOVERY).toMatchObject({ same_response: true, diff: '', result_differences: [] });
    expect(byPhase.TESTING).toMatchObject({ same_response: false, result_differences: [{ path: 'status', a: 'done', b: 'redone' }] });
    expect(byPhase.TESTING.diff).toContain('-first take\n+second take');
    // Answered by hand: no model or prompt version, nothing spent.
    expect(byPhase.TESTING.a).toMatchObject({ model: null, prompt_version: null, calls: 0, cost_usd: 0 });

    // The client gives the same comparison.
    expect((await client.compare(a, b)).phases).toEqual(res.body.phases);
  });

  it('prints it readably from the CLI', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, '--url', system.baseUrl, 'compare', a, b], {
        env: { ...process.env, TOPDOG_API_KEY: TEST_ADMIN_KEY },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/TESTING\s+differs/);
    expect(stdout).toMatch(/DISCOVERY\s+same/);
    expect(stdout).toContain('== TESTING (TEST_AUDITOR)');
    expect(stdout).toContain('+second take');
    expect(stdout).toContain('result status: "done" → "redone"');
    // Not a terminal: no colour codes.
    expect(stdout).not.toContain('\u001b[');
  });

  it('answers 404 naming the side that is unknown or in another project, and 400 for a malformed id', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const missing = await http(system.baseUrl, 'GET', `/api/ai-workflows/compare?a=${a}&b=${unknown}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.details).toEqual([{ field: 'b', reason: 'no such workflow in your projects' }]);

    const other = (await http(system.baseUrl, 'POST', '/api/admin/keys', { name: 'other', projects: ['p2'], role: 'reader' })).body.key as string;
    const hidden = await http(system.baseUrl, 'GET', `/api/ai-workflows/compare?a=${a}&b=${b}`, undefined, bearer(other));
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.details[0].field).toBe('a');

    const malformed = await http(system.baseUrl, 'GET', `/api/ai-workflows/compare?a=nope&b=${b}`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details[0].field).toBe('a');
    const missingSide = await http(system.baseUrl, 'GET', `/api/ai-workflows/compare?a=${a}`);
    expect(missingSide.status).toBe(400);
    expect(missingSide.body.error.details[0].field).toBe('b');
  });
});
