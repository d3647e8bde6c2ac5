import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { JetStreamEventStore } from '@topdog/event-store';
import { freePort, startNatsCluster, startNatsServer, type NatsClusterFixture, type NatsServerFixture } from '@topdog/testing';
import { SERVICE_NODE_ARGS, SERVICE_PROCESS_ENV } from '../../scripts/service-process.mjs';
import { TEST_ADMIN_KEY } from './credentials';

export const SERVICES = ['orchestrator', 'projector', 'llm-runner', 'webhooks', 'gateway'] as const;
export type Service = (typeof SERVICES)[number];

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface SystemOptions {
  /** Three nats-server nodes in a JetStream cluster, the stream and buckets with three replicas. */
  cluster?: boolean;
  /** Processes of each service (default 1); instance `i`'s gateway serves `baseUrls[i]`. */
  instances?: number;
  /** The services to run (default all five); a system without one is not waited for to be ready. */
  services?: readonly Service[];
}

/** The five services as separate processes on a private nats-server (or cluster). */
export interface System extends AsyncDisposable {
  /** The nats-server (a cluster's first node). */
  nats: NatsServerFixture;
  /** The cluster, when started as one. */
  cluster: NatsClusterFixture | undefined;
  /** Every NATS URL the services are given, comma-separated. */
  natsUrl: string;
  /** The first gateway's URL. */
  baseUrl: string;
  baseUrls: string[];
  prefix: string;
  kill(service: Service, signal?: NodeJS.Signals, instance?: number): Promise<void>;
  /** Starts a service again; `env` adds to (or overrides) the system's settings for this run of it. */
  start(service: Service, env?: Record<string, string>, instance?: number): Promise<void>;
  waitReady(timeoutMs?: number): Promise<void>;
  logs(service: Service, instance?: number): Promise<string>;
  /** The service's process id while it runs. */
  pid(service: Service, instance?: number): number | undefined;
  /** When the services were all ready (ms since the epoch). */
  startedAt: number;
  /** Every log line in which a service says NATS refused it something (none, in a passing run). */
  refusals(): Promise<string[]>;
  /** The system's event store, to read what was written (one connection, closed with the system). */
  eventStore(): Promise<JetStreamEventStore>;
}

/** A service found its port, free when it was chosen, taken by the time it listened. */
class PortTaken extends Error {}

/**
 * Starts the system; again, on new ports, when a port found free was taken before a service
 * listened on it (by another suite's server, or as the local port of an outgoing connection).
 */
export async function startSystem(extraEnv: Record<string, string> = {}, options: SystemOptions = {}): Promise<System> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSystemOnce(extraEnv, options);
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt === 3) throw err;
    }
  }
}

async function startSystemOnce(extraEnv: Record<string, string>, options: SystemOptions): Promise<System> {
  for (const s of SERVICES) {
    if (!existsSync(join(root, 'services', s, 'dist', 'main.js'))) throw new Error(`services/${s}/dist/main.js is missing: run pnpm build`);
  }
  const instances = options.instances ?? 1;
  const ports = [await freePort()];
  for (let i = 1; i < instances; i++) ports.push(await freePort());
  const port = ports[0]!;
  const prefix = `e2e${port}`;
  // Each service connects as its own bus user, as in production; the tests' own clients connect
  // without credentials and are taken to be `admin`.
  const auth = { prefix, unauthenticatedAs: 'admin' as const };
  // The services start while the cluster still elects its JetStream leaders, as they may in production.
  const cluster = options.cluster ? await startNatsCluster(3, { auth, waitForJetStream: false }) : undefined;
  const nats = cluster ? cluster.nodes[0]! : await startNatsServer({ auth });
  const natsUrl = cluster?.url ?? nats.url;
  const passwords = nats.passwords!;
  const logDir = await mkdtemp(join(tmpdir(), 'topdog-e2e-'));
  const env = {
    ...SERVICE_PROCESS_ENV,
    ...process.env,
    NATS_URL: natsUrl,
    ...(cluster ? { EVENT_STREAM_REPLICAS: '3', READ_MODEL_REPLICAS: '3', API_KEYS_REPLICAS: '3', WEBHOOKS_REPLICAS: '3' } : {}),
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
  const procs = new Map<string, ChildProcess>();
  const baseUrls = ports.map((p) => `http://127.0.0.1:${p}`);
  const baseUrl = baseUrls[0]!;
  const services = options.services ?? SERVICES;
  const every = services.flatMap((service) => Array.from({ length: instances }, (_, i) => [service, i] as const));
  const procKey = (service: Service, instance: number) => `${service}:${instance}`;
  const logFile = (service: Service, instance: number) => join(logDir, instance === 0 ? `${service}.log` : `${service}-${instance}.log`);

  /** How many times this process's log says it became ready (a service logs `<service> ready`). */
  const readies = async (service: Service, instance: number) =>
    (await readFile(logFile(service, instance), 'utf8').catch(() => '')).split(`"msg":"${service} ready"`).length - 1;

  const start = async (service: Service, extra: Record<string, string> = {}, instance = 0) => {
    const readyBefore = await readies(service, instance);
    const out = createWriteStream(logFile(service, instance), { flags: 'a' });
    // BENCH_NODE_ARGS: extra node flags for the services (`--cpu-prof --cpu-prof-dir=…` to profile them).
    const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...SERVICE_NODE_ARGS, ...nodeArgs, join(root, 'services', service, 'dist', 'main.js')], {
      env: { ...serviceEnv(service), PORT: String(ports[instance]), ...extra, NATS_USER: service, NATS_PASSWORD: passwords[service] },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    procs.set(procKey(service, instance), child);
    if (service === 'gateway') {
      for (let i = 0; i < 200; i++) {
        try {
          if ((await fetch(`${baseUrls[instance]}/healthz`)).ok) return;
        } catch {}
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('gateway did not start');
    }
    // Started when it says it is ready (where it logs at info): a rolling restart must not stop
    // the next instance before.
    const level = extra.LOG_LEVEL ?? env.LOG_LEVEL;
    if (!['info', 'debug', 'trace'].includes(level)) return;
    for (let i = 0; (await readies(service, instance)) === readyBefore; i++) {
      if (child.exitCode !== null) throw new Error(`${service} exited with code ${child.exitCode}`);
      if (i >= 1_200) throw new Error(`${service} did not say it was ready within 60 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const kill = async (service: Service, signal: NodeJS.Signals = 'SIGKILL', instance = 0) => {
    const child = procs.get(procKey(service, instance));
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
    procs.delete(procKey(service, instance));
  };

  /** Every gateway's /readyz answers 200. */
  const waitReady = async (timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (const url of baseUrls) {
      for (;;) {
        let last: string;
        try {
          const res = await fetch(`${url}/readyz`);
          if (res.ok) break;
          last = await res.text();
        } catch (err) {
          last = String(err);
        }
        if (Date.now() > deadline) throw new Error(`system not ready: ${last}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  const stopNats = () => (cluster ? cluster.dispose() : nats.dispose());
  const logs = (service: Service, instance = 0) => readFile(logFile(service, instance), 'utf8').catch(() => '');
  try {
    await Promise.all(every.map(([s, i]) => start(s, {}, i)));
    if (services.length === SERVICES.length) await waitReady(cluster ? 60_000 : 30_000);
  } catch (err) {
    // A system that did not come up is still taken down: no service or server outlives the test.
    for (const [s, i] of every) await kill(s, 'SIGKILL', i);
    await stopNats();
    const logsOf = await Promise.all(every.map(([s, i]) => logs(s, i)));
    const Failure = logsOf.some((text) => text.includes('EADDRINUSE')) ? PortTaken : Error;
    throw new Failure(`the system did not start; its logs are in ${logDir}`, { cause: err });
  }
  const startedAt = Date.now();

  const refusals = async () =>
    (await Promise.all(every.map(([s, i]) => logs(s, i)))).flatMap((text) =>
      text.split('\n').filter((l) => l.includes("outside this service's bus permissions")),
    );

  let store: Promise<{ close(): Promise<void>; store: JetStreamEventStore }> | undefined;
  const eventStore = async () => {
    // A reader (connect, not create): the stream and its replicas are the orchestrator's to set.
    store ??= connect({ servers: natsUrl.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 250 }).then(async (nc) => ({
      close: () => nc.close(),
      store: await JetStreamEventStore.connect(nc, { prefix }),
    }));
    return (await store).store;
  };

  const dispose = async () => {
    await (await store)?.close();
    for (const [s, i] of every) await kill(s, 'SIGTERM', i);
    await stopNats();
    // A service refused something it needs is a gap in the permissions, whatever the test checked.
    const refused = await refusals();
    if (refused.length > 0) throw new Error(`NATS refused the services something:\n${refused.join('\n')}`);
  };
  return {
    nats,
    cluster,
    natsUrl,
    baseUrl,
    baseUrls,
    prefix,
    kill,
    start,
    waitReady,
    pid: (service, instance = 0) => procs.get(procKey(service, instance))?.pid,
    startedAt,
    logs,
    refusals,
    eventStore,
    [Symbol.asyncDispose]: dispose,
  };
}
