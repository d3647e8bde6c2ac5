import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, usernamePasswordAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { busInbox, generateBusPasswords, natsServerAuthConfig, type BusAccount, type BusPasswords } from '@topdog/runtime';
import { freePort } from './free-port';

/** Where the nats-server binary is: NATS_SERVER_BIN, the PATH, or Debian's /usr/sbin. */
export function natsServerBinary(): string {
  if (process.env.NATS_SERVER_BIN) return process.env.NATS_SERVER_BIN;
  for (const dir of (process.env.PATH ?? '').split(':').concat('/usr/sbin', '/usr/local/bin')) {
    const candidate = join(dir, 'nats-server');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error('nats-server not found: install it (apt-get install nats-server) or set NATS_SERVER_BIN');
}

export interface NatsServerFixture extends AsyncDisposable {
  /** Its server name (a cluster node's, as JetStream names stream leaders). */
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** The running server's process id (undefined while stopped): for the bench's CPU and memory figures. */
  readonly pid: number | undefined;
  /** Stops the server (SIGTERM, or SIGKILL when asked), keeping its store. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port with the same store. */
  start(): Promise<void>;
  /** Stops it and deletes its store. */
  dispose(): Promise<void>;
  /** Each bus account's password, when started with `auth`. */
  readonly passwords: BusPasswords | undefined;
  /** Its HTTP monitoring endpoint (`/jsz`, `/varz`…), for a cluster's nodes. */
  readonly monitorUrl: string | undefined;
  /** A client connected as a bus account (started with `auth`), with that account's inbox, as a service connects. */
  connectAs(account: BusAccount): Promise<NatsConnection>;
}

export interface NatsServerOptions {
  /** Largest message the server accepts (default 8 MiB, as `pnpm start` configures it). */
  maxPayload?: number;
  /**
   * Starts with TopDog's bus users and permissions for this prefix (random passwords, in
   * `passwords`). A client without credentials is taken to be `unauthenticatedAs` (tests'
   * own clients: `admin`), or refused when it is unset.
   */
  auth?: { prefix: string; unauthenticatedAs?: BusAccount };
  /** The bus accounts' passwords (default: new random ones); a cluster's nodes share theirs. */
  passwords?: BusPasswords;
  /** The client port (default: a free one). */
  port?: number;
  /** `false`: a server without JetStream, like the one Debian's nats-server package runs as a service. */
  jetstream?: boolean;
  /** A node of a cluster: its name, its route port, and the other nodes' route ports. */
  cluster?: { name: string; serverName: string; routePort: number; routes: number[]; monitorPort?: number };
}

async function waitForPort(port: number, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms`);
}

/** A private nats-server with JetStream (unless asked otherwise) on a free port and its own store directory. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerFixture> {
  const port = options.port ?? (await freePort());
  const root = await mkdtemp(join(tmpdir(), 'topdog-nats-'));
  const storeDir = join(root, 'store');
  const config = join(root, 'nats.conf');
  const passwords = options.auth ? (options.passwords ?? generateBusPasswords()) : undefined;
  const lines = [
    `listen: "127.0.0.1:${port}"`,
    `max_payload: ${options.maxPayload ?? 8 * 1024 * 1024}`,
    ...(options.jetstream === false ? [] : [`jetstream { store_dir: ${JSON.stringify(storeDir)} }`]),
  ];
  const { cluster } = options;
  const monitorPort = cluster ? (cluster.monitorPort ?? (await freePort())) : undefined;
  if (cluster) {
    lines.push(
      `server_name: ${cluster.serverName}`,
      `http: "127.0.0.1:${monitorPort}"`,
      `cluster { name: ${cluster.name}, listen: "127.0.0.1:${cluster.routePort}", routes: [${cluster.routes.map((p) => `"nats-route://127.0.0.1:${p}"`).join(', ')}] }`,
    );
  }
  if (options.auth && passwords) {
    lines.push(natsServerAuthConfig(options.auth.prefix, passwords, { unauthenticatedAs: options.auth.unauthenticatedAs }));
  }
  await writeFile(config, lines.join('\n'));
  let child: ChildProcess | undefined;

  const start = async () => {
    const proc = spawn(natsServerBinary(), ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child = proc;
    try {
      await waitForPort(port, 10_000, proc);
    } catch (err) {
      proc.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\n${stderr}`, { cause: err });
    }
  };

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill(signal);
    await exited;
  };

  const dispose = async () => {
    await stop();
    await rm(root, { recursive: true, force: true });
  };

  await start();
  return {
    name: cluster?.serverName ?? `nats-${port}`,
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    passwords,
    monitorUrl: monitorPort ? `http://127.0.0.1:${monitorPort}` : undefined,
    get pid() {
      return child?.pid;
    },
    stop,
    start,
    dispose,
    connectAs: (account) => {
      if (!passwords) throw new Error('connectAs needs a server started with auth');
      return connect({
        servers: `nats://127.0.0.1:${port}`,
        noAsyncTraces: true,
        authenticator: usernamePasswordAuthenticator(account, passwords[account]),
        inboxPrefix: busInbox(account),
      });
    },
    [Symbol.asyncDispose]: dispose,
  };
}

/** Three (or `size`) nats-server processes routed into one JetStream cluster, each on free ports with its own store. */
export interface NatsClusterFixture extends AsyncDisposable {
  readonly nodes: NatsServerFixture[];
  /** Every node's client URL, comma-separated, as a service is given them. */
  readonly url: string;
  readonly passwords: BusPasswords | undefined;
  /** The node by its server name (how JetStream names a stream's leader and replicas). */
  node(name: string): NatsServerFixture;
  /** Waits until JetStream answers with a meta leader (after a start, or a node's return). */
  waitForJetStream(timeoutMs?: number): Promise<void>;
  /** The server name of the JetStream meta leader (the node that creates streams and consumers), as a live node's /jsz says. */
  metaLeader(): Promise<string | undefined>;
  dispose(): Promise<void>;
}

export interface NatsClusterOptions extends Omit<NatsServerOptions, 'port' | 'cluster' | 'passwords'> {
  /** False: return as soon as every node listens, while JetStream may still be electing its leaders. */
  waitForJetStream?: boolean;
}

export async function startNatsCluster(size = 3, options: NatsClusterOptions = {}): Promise<NatsClusterFixture> {
  const ports = await Promise.all(Array.from({ length: size }, () => freePort()));
  const routePorts = await Promise.all(Array.from({ length: size }, () => freePort()));
  const passwords = options.auth ? generateBusPasswords() : undefined;
  const name = `topdog-${ports[0]}`;
  // Each node waits only for its own port: a node's routes to the others are retried until they listen.
  const { waitForJetStream: _wait, ...nodeOptions } = options;
  const nodes = await Promise.all(
    ports.map((port, i) =>
      startNatsServer({
        ...nodeOptions,
        port,
        passwords,
        cluster: { name, serverName: `n${i + 1}-${port}`, routePort: routePorts[i]!, routes: routePorts.filter((_, j) => j !== i) },
      }),
    ),
  );
  const url = nodes.map((n) => n.url).join(',');
  const dispose = async () => {
    await Promise.all(nodes.map((n) => n.dispose()));
  };
  const cluster: NatsClusterFixture = {
    nodes,
    url,
    passwords,
    node: (serverName) => {
      const node = nodes.find((n) => n.name === serverName);
      if (!node) throw new Error(`no node ${serverName} in the cluster (${nodes.map((n) => n.name).join(', ')})`);
      return node;
    },
    async waitForJetStream(timeoutMs = 30_000) {
      const nc = await connect({
        servers: url.split(','),
        noAsyncTraces: true,
        ...(passwords ? { authenticator: usernamePasswordAuthenticator('admin', passwords.admin), inboxPrefix: busInbox('admin') } : {}),
      });
      try {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          try {
            const info = (await nc.request('$JS.API.INFO', undefined, { timeout: 1_000 })).json<{ error?: unknown }>();
            if (!info.error) return;
          } catch {
            // no meta leader yet
          }
          if (Date.now() > deadline) throw new Error(`JetStream had no meta leader within ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, 200));
        }
      } finally {
        await nc.close();
      }
    },
    async metaLeader() {
      for (const node of nodes) {
        if (node.pid === undefined || !node.monitorUrl) continue;
        try {
          const jsz = (await (await fetch(`${node.monitorUrl}/jsz`, { signal: AbortSignal.timeout(2_000) })).json()) as { meta_cluster?: { leader?: string } };
          if (jsz.meta_cluster?.leader) return jsz.meta_cluster.leader;
        } catch {}
      }
      return undefined;
    },
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
  if (options.waitForJetStream !== false) await cluster.waitForJetStream();
  return cluster;
}
