import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { JetStreamEventStore } from '@topdog/event-store';
import { freePort, startNatsServer, type NatsServerFixture } from '@topdog/testing';
import { TEST_ADMIN_KEY } from './credentials';

export const SERVICES = ['orchestrator', 'projector', 'llm-runner', 'webhooks', 'gateway'] as const;
export type Service = (typeof SERVICES)[number];

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The five services as separate processes on a private nats-server. */
export interface System extends AsyncDisposable {
  nats: NatsServerFixture;
  baseUrl: string;
  prefix: string;
  kill(service: Service, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a service again; `env` adds to (or overrides) the system's settings for this run of it. */
  start(service: Service, env?: Record<string, string>): Promise<void>;
  waitReady(timeoutMs?: number): Promise<void>;
  logs(service: Service): Promise<string>;
  /** The service's process id while it runs. */
  pid(service: Service): number | undefined;
  /** When the services were all ready (ms since the epoch). */
  startedAt: number;
  /** Every log line in which a service says NATS refused it something (none, in a passing run). */
  refusals(): Promise<string[]>;
  /** The system's event store, to read what was written (one connection, closed with the system). */
  eventStore(): Promise<JetStreamEventStore>;
}

export async function startSystem(extraEnv: Record<string, string> = {}): Promise<System> {
  for (const s of SERVICES) {
    if (!existsSync(join(root, 'services', s, 'dist', 'main.js'))) throw new Error(`services/${s}/dist/main.js is missing: run pnpm build`);
  }
  const port = await freePort();
  const prefix = `e2e${port}`;
  // Each service connects as its own bus user, as in production; the tests' own clients connect
  // without credentials and are taken to be `admin`.
  const nats = await startNatsServer({ auth: { prefix, unauthenticatedAs: 'admin' } });
  const logDir = await mkdtemp(join(tmpdir(), 'topdog-e2e-'));
  const env = {
    ...process.env,
    NATS_URL: nats.url,
    TOPDOG_PREFIX: prefix,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    TOPDOG_ADMIN_KEY: TEST_ADMIN_KEY,
    // The tests drive a system as one identity, often far past a minute's production limit; the
    // limits' own tests set theirs.
    RATE_LIMIT_PER_MINUTE: process.env.RATE_LIMIT_PER_MINUTE ?? '10000000',
    ...extraEnv,
  };
  /** A service's environment: the admin key is the gateway's alone, as `pnpm start` gives it. */
  const serviceEnv = (service: Service): NodeJS.ProcessEnv => {
    if (service === 'gateway') return env;
    const { TOPDOG_ADMIN_KEY: _gatewayOnly, ...rest } = env;
    return rest;
  };
  const procs = new Map<Service, ChildProcess>();
  const baseUrl = `http://127.0.0.1:${port}`;

  const start = async (service: Service, extra: Record<string, string> = {}) => {
    const out = createWriteStream(join(logDir, `${service}.log`), { flags: 'a' });
    // BENCH_NODE_ARGS: extra node flags for the services (`--cpu-prof --cpu-prof-dir=…` to profile them).
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, ['--enable-source-maps', ...nodeArgs, join(root, 'services', service, 'dist', 'main.js')], {
      env: { ...serviceEnv(service), ...extra, NATS_USER: service, NATS_PASSWORD: nats.passwords![service] },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    procs.set(service, child);
    if (service === 'gateway') {
      for (let i = 0; i < 200; i++) {
        try {
          if ((await fetch(`${baseUrl}/healthz`)).ok) return;
        } catch {}
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('gateway did not start');
    }
  };

  const kill = async (service: Service, signal: NodeJS.Signals = 'SIGKILL') => {
    const child = procs.get(service);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
    procs.delete(service);
  };

  const waitReady = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`${baseUrl}/readyz`);
        if (res.ok) return;
        last = await res.text();
      } catch (err) {
        last = String(err);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`system not ready: ${last}`);
  };

  try {
    for (const s of SERVICES) await start(s);
    await waitReady();
  } catch (err) {
    // A system that did not come up is still taken down: no service or server outlives the test.
    for (const s of SERVICES) await kill(s, 'SIGKILL');
    await nats.dispose();
    throw new Error(`the system did not start; its logs are in ${logDir}`, { cause: err });
  }
  const startedAt = Date.now();

  const logs = (service: Service) => readFile(join(logDir, `${service}.log`), 'utf8').catch(() => '');
  const refusals = async () =>
    (await Promise.all(SERVICES.map(logs))).flatMap((text) => text.split('\n').filter((l) => l.includes("outside this service's bus permissions")));

  let store: Promise<{ close(): Promise<void>; store: JetStreamEventStore }> | undefined;
  const eventStore = async () => {
    store ??= connect({ servers: nats.url }).then(async (nc) => ({ close: () => nc.close(), store: await JetStreamEventStore.create(nc, { prefix }) }));
    return (await store).store;
  };

  const dispose = async () => {
    await (await store)?.close();
    for (const s of SERVICES) await kill(s, 'SIGTERM');
    await nats.dispose();
    // A service refused something it needs is a gap in the permissions, whatever the test checked.
    const refused = await refusals();
    if (refused.length > 0) throw new Error(`NATS refused the services something:\n${refused.join('\n')}`);
  };
  return {
    nats,
    baseUrl,
    prefix,
    kill,
    start,
    waitReady,
    pid: (service) => procs.get(service)?.pid,
    startedAt,
    logs,
    refusals,
    eventStore,
    [Symbol.asyncDispose]: dispose,
  };
}
