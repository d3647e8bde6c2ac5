import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startNatsServer } from '@topdog/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { commandLine, descendants, killAll, processesWithEnv } from './support/processes';

const root = fileURLToPath(new URL('..', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

interface LaunchedStart extends AsyncDisposable {
  /** The process spawned: start.mjs, or the shell running it; it leads its own process group. */
  pid: number;
  port: number;
  natsPort: number;
  /** Every process carrying this launch's TOPDOG_PREFIX in its environment (see processesWithEnv). */
  processes(): number[];
}

/**
 * `pnpm start`'s script with nothing shared: no NATS_URL, so it launches its own nats-server on
 * a free port with its store in a temporary directory, and a prefix of its own. Whatever the
 * test does, everything the launch started is SIGKILLed when the test finishes (found by the
 * prefix in its environment, so orphans too), and the store removed.
 */
async function launchStart(options: { via: 'node' | 'shell' | 'pnpm' }): Promise<LaunchedStart> {
  const [port, natsPort] = [await freePort(), await freePort()];
  const dataDir = await mkdtemp(join(tmpdir(), 'topdog-start-'));
  const prefix = `orphans${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    NATS_PORT: String(natsPort),
    NATS_DATA_DIR: dataDir,
    TOPDOG_ADMIN_KEY_FILE: join(dataDir, 'admin.key'),
    TOPDOG_PREFIX: prefix,
    LOG_LEVEL: 'warn',
    OPENAI_API_KEY: '',
    ANTHROPIC_API_KEY: '',
  };
  delete env.NATS_URL;
  // Through a shell, as `pnpm start` runs it: its group then holds more than start.mjs. Or
  // through pnpm itself (`pnpm start`: it builds, then runs start.mjs from `sh -c`).
  const pnpm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['pnpm'];
  const [command, args] =
    options.via === 'shell'
      ? ['/bin/sh', ['-c', `"${process.execPath}" scripts/start.mjs; exit $?`]]
      : options.via === 'pnpm'
        ? [pnpm[0]!, [...pnpm.slice(1), 'start']]
        : [process.execPath, ['scripts/start.mjs']];
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  child.stdout.resume();
  const processes = () => processesWithEnv('TOPDOG_PREFIX', prefix);
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // The group is gone already: what the tests want.
    }
    killAll(processes());
    await rm(dataDir, { recursive: true, force: true });
  };
  // Runs even when the test times out, which would leave an `await using` waiting.
  onTestFinished(dispose);
  const deadline = Date.now() + 60_000;
  while (!output.includes('TopDog is ready') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
  expect(output, output).toContain(`TopDog is ready at http://127.0.0.1:${port}`);
  return { pid: child.pid!, port, natsPort, processes, [Symbol.asyncDispose]: dispose };
}

/** Kills as asked, then waits up to `withinMs` for every process of the launch to be gone. */
async function expectNoOrphans(started: LaunchedStart, kill: () => void, withinMs: number): Promise<void> {
  const launched = descendants(started.pid);
  const commands = launched.map(commandLine);
  for (const program of [
    /orchestrator\/dist\/main\.js/,
    /projector\/dist\/main\.js/,
    /llm-runner\/dist\/main\.js/,
    /webhooks\/dist\/main\.js/,
    /gateway\/dist\/main\.js/,
    /bound-to-parent\.mjs/,
    /^\S*nats-server -c/,
  ]) {
    expect(
      commands.filter((c) => program.test(c)),
      `${program} in ${commands.join('\n')}`,
    ).toHaveLength(1);
  }
  expect(started.processes()).toEqual(expect.arrayContaining(launched));
  expect(await portOpen(started.natsPort)).toBe(true);

  kill();
  const killedAt = Date.now();
  let left = started.processes();
  while (left.length > 0 && Date.now() - killedAt < withinMs) {
    await new Promise((r) => setTimeout(r, 100));
    left = started.processes();
  }
  expect(left.map((pid) => `${pid} ${commandLine(pid)}`)).toEqual([]);
  await expect(fetch(`http://127.0.0.1:${started.port}/healthz`)).rejects.toThrow();
  expect(await portOpen(started.natsPort)).toBe(false);
}

/**
 * Runs start.mjs with NATS_PORT on a port something already answers on (and no NATS_URL), until it
 * exits: its exit code, what it printed, and the processes of its prefix still running then.
 */
async function startOnTakenPort(natsPort: number): Promise<{ code: number | null; output: string; left: number[] }> {
  const prefix = `taken${natsPort}`;
  const env: NodeJS.ProcessEnv = { ...process.env, NATS_PORT: String(natsPort), PORT: String(await freePort()), TOPDOG_PREFIX: prefix };
  delete env.NATS_URL;
  const child = spawn(process.execPath, ['scripts/start.mjs'], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  onTestFinished(() => {
    child.kill('SIGKILL');
    killAll(processesWithEnv('TOPDOG_PREFIX', prefix));
  });
  let output = '';
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output, left: processesWithEnv('TOPDOG_PREFIX', prefix) };
}

describe('pnpm start (scripts/start.mjs)', () => {
  it('starts the five services in their own process groups, reports ready, and stops them all on SIGTERM', async () => {
    await using nats = await startNatsServer();
    const port = await freePort();
    const keyFile = join(await mkdtemp(join(tmpdir(), 'topdog-key-')), 'admin.key');
    const child = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: root,
      env: {
        ...process.env,
        NATS_URL: nats.url,
        TOPDOG_ADMIN_KEY: '',
        TOPDOG_ADMIN_KEY_FILE: keyFile,
        PORT: String(port),
        TOPDOG_PREFIX: `start${port}`,
        LOG_LEVEL: 'warn',
        OPENAI_API_KEY: '',
        ANTHROPIC_API_KEY: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    const deadline = Date.now() + 60_000;
    while (!output.includes('TopDog is ready') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain(`TopDog is ready at http://127.0.0.1:${port}`);
    expect(output).toContain('curl -s -X POST');
    // The first start makes an admin key, readable by its owner only, and never prints it.
    const key = (await readFile(keyFile, 'utf8')).trim();
    expect(key).toMatch(/^tdk_/);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(output).toContain(keyFile);
    expect(output).not.toContain(key);
    const auth = { authorization: `Bearer ${key}` };
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    // The dashboard it points to is built and served.
    expect(output).toContain(`open http://127.0.0.1:${port}/ in a browser`);
    const dashboard = await fetch(`http://127.0.0.1:${port}/`);
    expect([dashboard.status, dashboard.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect(await dashboard.text()).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
    const services = (await ready.json()) as { services: Record<string, { instance?: string }> };
    const pids = Object.values(services.services)
      .map((s) => Number(/-(\d+)-[0-9a-f]{6}$/.exec(s.instance ?? '')?.[1]))
      .filter((pid) => Number.isFinite(pid));
    expect(pids).toHaveLength(4);

    // The printed demo runs a whole workflow with the offline model when no key is set.
    const demo = /"model":"offline","auto_advance":true\}/.test(output) ? /-d '(\{[^']*"auto_advance":true\})'/.exec(output)?.[1] : undefined;
    expect(demo, output).toBeDefined();
    const init = await fetch(`http://127.0.0.1:${port}/api/ai-workflows/initialize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: demo,
    });
    const { workflow_id } = (await init.json()) as { workflow_id: string };
    let status: { is_complete?: boolean } = {};
    for (let i = 0; i < 100 && !status.is_complete; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await (await fetch(`http://127.0.0.1:${port}/api/ai-workflows/status/${workflow_id}`, { headers: auth })).json()) as typeof status;
    }
    expect(status).toMatchObject({ is_complete: true, current_state: 'COMPLETE' });
    for (const pid of pids) {
      // Each service leads its own process group.
      expect(() => process.kill(-pid, 0)).not.toThrow();
    }

    // Each service but the gateway has an operations port of its own, printed at start.
    const ops = /operations ports \(\/healthz, \/readyz, \/metrics\): orchestrator (\d+), projector (\d+), llm-runner (\d+), webhooks (\d+)/.exec(output);
    expect(ops, output).not.toBeNull();
    expect(new Set(ops!.slice(1)).size).toBe(4);
    const metrics = await fetch(`http://127.0.0.1:${ops![1]}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('topdog_nats_request_duration_seconds');

    // A gateway stopped on its own stops gracefully (exit 0), and the one started in its place
    // has the admin key too.
    const gateway = descendants(child.pid!).find((pid) => /gateway\/dist\/main\.js/.test(commandLine(pid)));
    expect(gateway).toBeDefined();
    process.kill(gateway!, 'SIGTERM');
    for (let i = 0; i < 100 && !output.includes('gateway exited'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain('gateway exited (0)');
    let again: Response | undefined;
    for (let i = 0; i < 100 && again?.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      again = await fetch(`http://127.0.0.1:${port}/api/ai-workflows/status/${workflow_id}`, { headers: auth }).catch(() => undefined);
    }
    expect(again?.status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('refuses, saying why, to join a NATS server without JetStream, and starts nothing', async () => {
    // Debian's nats-server package runs such a server on 4222 as a system service.
    const plain = await startNatsServer({ jetstream: false });
    // Runs even when the test times out (a start.mjs that never exits), which would leave an `await using` waiting.
    onTestFinished(() => plain.dispose());
    const { code, output, left } = await startOnTakenPort(plain.port);
    expect(code, output).toBe(1);
    expect(output).toContain(`the NATS server answering on 127.0.0.1:${plain.port} has no JetStream`);
    expect(output).toContain('NATS_PORT');
    expect(left).toEqual([]);
  });

  it('refuses, saying why, to take something other than a NATS server for one', async () => {
    const other = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => void other.close());
    const port = (other.address() as AddressInfo).port;
    const { code, output, left } = await startOnTakenPort(port);
    expect(code, output).toBe(1);
    expect(output).toContain(`something other than a NATS server answers on 127.0.0.1:${port}`);
    expect(left).toEqual([]);
  });

  it('leaves nothing running, its own nats-server included, once it is killed with SIGKILL', async () => {
    await using started = await launchStart({ via: 'node' });
    await expectNoOrphans(started, () => process.kill(started.pid, 'SIGKILL'), 8_000);
  });

  it('leaves nothing running once its whole process group is killed with SIGKILL', async () => {
    await using started = await launchStart({ via: 'shell' });
    await expectNoOrphans(started, () => process.kill(-started.pid, 'SIGKILL'), 8_000);
  });

  it('leaves nothing running once pnpm alone, the process that ran `pnpm start`, is killed with SIGKILL', async () => {
    await using started = await launchStart({ via: 'pnpm' });
    await expectNoOrphans(started, () => process.kill(started.pid, 'SIGKILL'), 8_000);
  });
});
