import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, startNatsServer } from '@topdog/testing';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('pnpm start (scripts/start.mjs)', () => {
  it('starts the four services in their own process groups, reports ready, and stops them all on SIGTERM', async () => {
    await using nats = await startNatsServer();
    const port = await freePort();
    const child = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: root,
      env: { ...process.env, NATS_URL: nats.url, PORT: String(port), TOPDOG_PREFIX: `start${port}`, LOG_LEVEL: 'warn', OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    const deadline = Date.now() + 60_000;
    while (!output.includes('TopDog is ready') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain(`TopDog is ready at http://127.0.0.1:${port}`);
    expect(output).toContain('curl -s -X POST');
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    const services = (await ready.json()) as { services: Record<string, { instance?: string }> };
    const pids = Object.values(services.services)
      .map((s) => Number(/-(\d+)-[0-9a-f]{6}$/.exec(s.instance ?? '')?.[1]))
      .filter((pid) => Number.isFinite(pid));
    expect(pids).toHaveLength(3);

    // The printed demo runs a whole workflow with the offline model when no key is set.
    const demo = /"model":"offline","auto_advance":true\}/.test(output) ? /-d '(\{[^']*"auto_advance":true\})'/.exec(output)?.[1] : undefined;
    expect(demo, output).toBeDefined();
    const init = await fetch(`http://127.0.0.1:${port}/api/ai-workflows/initialize`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: demo });
    const { workflow_id } = (await init.json()) as { workflow_id: string };
    let status: { is_complete?: boolean } = {};
    for (let i = 0; i < 100 && !status.is_complete; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await (await fetch(`http://127.0.0.1:${port}/api/ai-workflows/status/${workflow_id}`)).json()) as typeof status;
    }
    expect(status).toMatchObject({ is_complete: true, current_state: 'COMPLETE' });
    for (const pid of pids) {
      // Each service leads its own process group.
      expect(() => process.kill(-pid, 0)).not.toThrow();
    }

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
