import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_ADMIN_KEY } from './support/credentials';
import { http } from './support/http';
import { startSystem, type System } from './support/system';
import { poll } from './support/wait';

const bin = fileURLToPath(new URL('../packages/cli/dist/topdog.mjs', import.meta.url));

/** Health you can act on: /readyz names what is down, and `topdog doctor` says what to fix. */
describe('readiness and topdog doctor', () => {
  let system: System;

  function doctor(...args: string[]): Promise<{ code: number | null; stdout: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [bin, '--url', system.baseUrl, 'doctor', ...args], {
        env: { ...process.env, TOPDOG_API_KEY: TEST_ADMIN_KEY },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('exit', (code) => resolve({ code, stdout }));
    });
  }

  beforeAll(async () => {
    // OpenAI configured at a local port where nothing listens: a provider that is down.
    system = await startSystem({ OPENAI_API_KEY: 'sk-e2e-doctor-0123456789', OPENAI_BASE_URL: `http://127.0.0.1:${await freePort()}/v1` });
  });
  afterAll(async () => {
    await system?.[Symbol.asyncDispose]();
  });

  it('/readyz names every dependency and each one that is down; a provider down does not make the deployment unready', async () => {
    const ready = await poll(
      'the llm-runner to have checked openai',
      async () => {
        const r = await http(system.baseUrl, 'GET', '/readyz', undefined, { authorization: undefined });
        return r.body.down?.some((d: string) => d.startsWith('provider openai')) ? r : undefined;
      },
      { timeoutMs: 20_000, everyMs: 250 },
    );
    expect(ready.status).toBe(200);
    expect(ready.body.ready).toBe(true);
    expect(ready.body.checks.map((c: { name: string }) => c.name)).toEqual([
      'nats',
      'event stream',
      'orchestrator',
      'projector',
      'llm-runner',
      'webhooks',
      'provider openai',
    ]);
    expect(ready.body.down).toEqual([expect.stringMatching(/^provider openai: /)]);
    expect(Math.abs(ready.body.services.orchestrator.clockSkewMs)).toBeLessThan(1_000);
  });

  it('doctor: every check passes but the provider, with a round trip on the offline model; then names a stopped service and how to fix it', async () => {
    const first = await doctor();
    expect(first.stdout).toMatch(/✓ gateway: answers at http:\/\/127\.0\.0\.1:\d+/);
    for (const check of ['nats', 'event stream', 'orchestrator', 'projector', 'llm-runner', 'webhooks', 'clock of orchestrator', 'credential']) {
      expect(first.stdout).toContain(`✓ ${check}: `);
    }
    expect(first.stdout).toMatch(/✓ round trip: workflow \S+ through six phases on the offline model in [\d.]+ s/);
    expect(first.stdout).toMatch(/✗ provider openai: .*\n {4}fix: the llm-runner cannot reach openai/);
    expect(first.code).toBe(5);

    await system.kill('projector', 'SIGTERM');
    try {
      const second = await doctor('--json', '--no-round-trip');
      expect(second.code).toBe(5);
      const report = JSON.parse(second.stdout) as { ok: boolean; findings: { check: string; ok: boolean; fix?: string }[] };
      expect(report.ok).toBe(false);
      expect(report.findings.find((f) => f.check === 'projector')).toMatchObject({ ok: false, fix: expect.stringContaining('start the projector') });
      expect(report.findings.some((f) => f.check === 'round trip')).toBe(false);
      expect((await http(system.baseUrl, 'GET', '/readyz', undefined, { authorization: undefined })).status).toBe(503);
    } finally {
      await system.start('projector');
    }
  });

  it('doctor: a refused credential is named, with where the key is', async () => {
    const child = spawn(process.execPath, [bin, '--url', system.baseUrl, 'doctor', '--no-round-trip'], {
      env: { ...process.env, TOPDOG_API_KEY: 'tdk_not-a-key-0000000000000000000000000000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(8);
    expect(stdout).toMatch(/✗ credential: UNAUTHORIZED: .*\n {4}fix: set TOPDOG_API_KEY/);
  });
});
