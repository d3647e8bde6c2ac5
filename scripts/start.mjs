#!/usr/bin/env node
// `pnpm start`: runs the five services (built by scripts/build.mjs). When NATS_URL is unset and
// nothing answers on 127.0.0.1:NATS_PORT (4222), it first launches a local nats-server with
// JetStream and its data under NATS_DATA_DIR (.data/). Every process it starts is the leader of
// its own process group; SIGINT or SIGTERM stops them all gracefully (services first, NATS
// last). A service that dies is started again after a short pause.
//
// None of them outlives this process, however it ends (SIGKILL of it or of its group
// included): each service gets TOPDOG_PARENT_PID and an IPC channel, and stops gracefully when
// the channel closes or it is re-parented (packages/runtime/src/parent-watch.ts); nats-server,
// which cannot watch us, runs under scripts/bound-to-parent.mjs, which stops it once the
// services are gone. This process in turn stops, as on SIGTERM, when whoever launched it goes:
// under `pnpm start`, pnpm itself (a SIGKILL of pnpm alone leaves its `sh -c` waiting on us).
//
// The nats-server it launches enforces the bus permissions (packages/runtime/src/nats-permissions.ts):
// each service connects as its own user, with a password generated at the first start and kept
// in NATS_DATA_DIR/bus-passwords.json (mode 0600). A server it joins is not its to configure: the
// services then use NATS_USER and NATS_PASSWORD (or NATS_CREDS) when given, and no credentials
// otherwise.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SERVICE_NODE_ARGS, SERVICE_PROCESS_ENV } from './service-process.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SERVICES = ['orchestrator', 'projector', 'llm-runner', 'webhooks', 'gateway'];
const env = { ...process.env, TOPDOG_PARENT_PID: String(process.pid) };
const natsPort = Number(env.NATS_PORT ?? 4222);
const port = env.PORT ?? '3000';
const host = env.HOST ?? '127.0.0.1';
const children = new Map();
/** Each service's own settings on top of `env`: its bus user, when we launch the server. */
const serviceEnv = new Map();
let stopping = false;

const log = (msg) => process.stderr.write(`[start] ${msg}\n`);

function portOpen(h, p) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: h, port: p }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * What the NATS server on h:p says of itself (the INFO line a server sends every client first),
 * `undefined` when nothing answers there, or `null` when what answers is not a NATS server.
 */
function natsServerInfo(h, p) {
  return new Promise((resolve) => {
    let received = '';
    let connected = false;
    let settled = false;
    const socket = createConnection({ host: h, port: p }, () => (connected = true));
    const done = (info) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(info);
    };
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n');
      if (end < 0 && received.length < 64 * 1024) return;
      const line = end < 0 ? received : received.slice(0, end);
      try {
        done(line.startsWith('INFO ') ? JSON.parse(line.slice('INFO '.length)) : null);
      } catch {
        done(null);
      }
    });
    socket.on('error', () => done(undefined));
    // Connected, but no INFO line within a second or before it closed: not a NATS server.
    const noInfo = () => done(connected ? null : undefined);
    socket.on('close', noInfo);
    socket.setTimeout(1000, noInfo);
  });
}

function natsServerBinary() {
  if (env.NATS_SERVER_BIN) return env.NATS_SERVER_BIN;
  for (const dir of (env.PATH ?? '').split(':').concat('/usr/sbin', '/usr/local/bin')) {
    if (dir && existsSync(join(dir, 'nats-server'))) return join(dir, 'nats-server');
  }
  return undefined;
}

async function ensureNats() {
  if (env.NATS_URL) {
    log(`using NATS at ${env.NATS_URL}`);
    return;
  }
  env.NATS_URL = `nats://127.0.0.1:${natsPort}`;
  const info = await natsServerInfo('127.0.0.1', natsPort);
  if (info === null) {
    log(`something other than a NATS server answers on 127.0.0.1:${natsPort}.`);
    log('Set NATS_PORT to a free port (start then launches its own nats-server) or NATS_URL to a NATS server with JetStream.');
    process.exit(1);
  }
  if (info) {
    // Debian's nats-server package runs a server like this one (no JetStream) as a system service.
    if (!info.jetstream) {
      log(`the NATS server answering on 127.0.0.1:${natsPort} has no JetStream, which TopDog needs.`);
      log("Stop it (Debian's package runs one: systemctl disable --now nats-server), enable JetStream on it,");
      log('or set NATS_PORT to a free port (start then launches its own) or NATS_URL to a server with JetStream.');
      process.exit(1);
    }
    log(`using the NATS server already answering on 127.0.0.1:${natsPort}`);
    return;
  }
  const bin = natsServerBinary();
  if (!bin) {
    log(`no NATS server answers on 127.0.0.1:${natsPort} and nats-server is not installed.`);
    log('Install it (Debian: apt-get install nats-server) or set NATS_URL.');
    process.exit(1);
  }
  const dataDir = resolve(root, env.NATS_DATA_DIR ?? '.data');
  mkdirSync(join(dataDir, 'nats'), { recursive: true });
  const config = join(dataDir, 'nats.conf');
  const passwordsFile = join(dataDir, 'bus-passwords.json');
  const auth = await busAuth(passwordsFile);
  writeSecret(
    config,
    [
      `listen: "127.0.0.1:${natsPort}"`,
      'max_payload: 8MB',
      `jetstream { store_dir: ${JSON.stringify(join(dataDir, 'nats'))} }`,
      auth.natsServerAuthConfig(env.TOPDOG_PREFIX ?? 'topdog', auth.passwords),
    ].join('\n'),
  );
  for (const s of SERVICES) serviceEnv.set(s, { NATS_USER: s, NATS_PASSWORD: auth.passwords[s], NATS_CREDS: undefined });
  launch('nats-server', process.execPath, [join(root, 'scripts', 'bound-to-parent.mjs'), bin, '-c', config], { restart: false });
  for (let i = 0; i < 100 && !(await portOpen('127.0.0.1', natsPort)); i++) await new Promise((r) => setTimeout(r, 100));
  log(`launched nats-server with JetStream (data in ${join(dataDir, 'nats')}); each service connects as its own bus user`);
  log(`bus passwords (the read-only 'reader' for integrations, 'admin' for the nats CLI) are in ${passwordsFile}`);
}

/** A file only its owner may read: it holds passwords. */
function writeSecret(file, text) {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * The bus users' passwords, generated at the first start and kept (a user added since gets
 * one), with the generator of the server's configuration, bundled by scripts/build.mjs.
 */
async function busAuth(passwordsFile) {
  const generator = join(root, 'packages', 'runtime', 'dist', 'nats-server-auth.mjs');
  if (!existsSync(generator)) {
    log(`${generator} is missing: run pnpm build`);
    process.exit(1);
  }
  const { generateBusPasswords, natsServerAuthConfig } = await import(pathToFileURL(generator).href);
  const kept = existsSync(passwordsFile) ? JSON.parse(readFileSync(passwordsFile, 'utf8')) : {};
  const passwords = { ...generateBusPasswords(), ...kept };
  if (Object.keys(passwords).some((user) => !(user in kept))) writeSecret(passwordsFile, `${JSON.stringify(passwords, null, 2)}\n`);
  else chmodSync(passwordsFile, 0o600);
  return { passwords, natsServerAuthConfig };
}

/** `defaultEnv` gives way to the environment's own values; `extraEnv` overrides them. */
function launch(name, command, args, { restart, defaultEnv = {}, extraEnv = {} }) {
  // The IPC channel is how a child knows we are gone: it closes when we die, however we die.
  const child = spawn(command, args, {
    cwd: root,
    env: { ...defaultEnv, ...env, ...serviceEnv.get(name), ...extraEnv },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  children.set(name, child);
  const nats = children.get('nats-server');
  if (name !== 'nats-server' && nats?.connected) nats.send({ waitFor: child.pid }, () => {});
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (stopping) return;
    log(`${name} exited (${signal ?? code})`);
    // 78: a setting is wrong (the service said which): starting it again would only fail again.
    if (code === 78) {
      log(`${name}: invalid configuration (see its message above): not restarting it; fix the setting and start again`);
      return;
    }
    if (restart) setTimeout(() => !stopping && launch(name, command, args, { restart, defaultEnv, extraEnv }), 1000);
  });
  return child;
}

async function waitReady() {
  for (let i = 0; i < 300; i++) {
    try {
      const res = await fetch(`http://${host}:${port}/readyz`);
      if (res.ok) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  const nats = children.get('nats-server');
  const services = [...children.entries()].filter(([n]) => n !== 'nats-server').map(([, c]) => c);
  const exited = (c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)));
  for (const c of services) {
    try {
      process.kill(-c.pid, 'SIGTERM');
    } catch {}
  }
  const force = setTimeout(() => {
    for (const c of children.values()) {
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {}
    }
  }, 15_000);
  Promise.all(services.map(exited))
    .then(async () => {
      if (nats) {
        try {
          // bound-to-parent.mjs passes it on to nats-server.
          process.kill(nats.pid, 'SIGTERM');
        } catch {}
        await exited(nats);
      }
    })
    .finally(() => {
      clearTimeout(force);
      process.exit(0);
    });
}

process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));

/** A process's command line (NUL-separated), from /proc (Linux); undefined where it cannot be read. */
function commandLineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

/** A process's parent pid, from /proc (Linux); undefined where it cannot be read. */
function parentOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * The processes this one lives for. Run by a package manager (`pnpm start`), that is the chain
 * up to the package manager itself (`sh -c …`, then pnpm): a SIGKILL of pnpm alone leaves its
 * shell waiting on us, so our own parent is not enough to watch. Otherwise, our parent.
 */
function launchers() {
  const chain = [process.ppid];
  if (!process.env.npm_lifecycle_event) return chain;
  for (let pid = process.ppid; chain.length < 4;) {
    const cmdline = commandLineOf(pid);
    if (cmdline === undefined) break;
    if (/(^|[/\0])p?npm(\.c?js)?\0/.test(cmdline)) break;
    const parent = parentOf(pid);
    if (!parent || parent <= 1) break;
    chain.push(parent);
    pid = parent;
  }
  return chain;
}

// Stopping with our launcher, as on SIGTERM: whoever started us is gone (SIGKILLed, say).
const watched = launchers();
const launcherWatch = setInterval(() => {
  const gone = process.ppid !== watched[0] || watched.some((pid) => !processExists(pid));
  if (gone) {
    clearInterval(launcherWatch);
    stopAll('launcher gone');
  }
}, 500);
launcherWatch.unref();

function processExists(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * The admin key the gateway is given: TOPDOG_ADMIN_KEY when set; else the one in
 * TOPDOG_ADMIN_KEY_FILE (.data/admin.key), made on the first start (mode 0600). Only the
 * gateway's environment gets it, and it is never printed.
 */
function adminKey() {
  const file = resolve(root, env.TOPDOG_ADMIN_KEY_FILE ?? join('.data', 'admin.key'));
  delete env.TOPDOG_ADMIN_KEY;
  if (process.env.TOPDOG_ADMIN_KEY) return { key: process.env.TOPDOG_ADMIN_KEY, file: undefined };
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    return { key: readFileSync(file, 'utf8').trim(), file };
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `tdk_${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  log(`made an admin API key: ${file} (mode 0600; it is never printed)`);
  return { key: readFileSync(file, 'utf8').trim(), file };
}
const admin = adminKey();

/**
 * Each service's operations port (/healthz, /readyz, /metrics): the services share a machine, so
 * one port each. METRICS_PORT=N: N, N+1, …; unset: the first free ones from 9464; 0: each takes
 * any free port and logs it. The gateway serves these on its own port.
 */
async function operationsPorts() {
  const set = env.METRICS_PORT !== undefined && env.METRICS_PORT !== '';
  if (set && Number(env.METRICS_PORT) === 0) return new Map();
  const services = SERVICES.filter((s) => s !== 'gateway');
  const ports = new Map();
  let next = set ? Number(env.METRICS_PORT) : 9464;
  for (const s of services) {
    // Unset, a port something already answers on is skipped; set, the ports are as asked.
    while (!set && (await portOpen('127.0.0.1', next))) next++;
    ports.set(s, next++);
  }
  log(`operations ports (/healthz, /readyz, /metrics): ${[...ports].map(([s, p]) => `${s} ${p}`).join(', ')}`);
  return ports;
}
const opsPorts = await operationsPorts();

await ensureNats();
for (const s of SERVICES) {
  const main = join(root, 'services', s, 'dist', 'main.js');
  if (!existsSync(main)) {
    log(`${main} is missing: run pnpm build`);
    process.exit(1);
  }
  const extraEnv = s === 'gateway' ? { TOPDOG_ADMIN_KEY: admin.key } : opsPorts.has(s) ? { METRICS_PORT: String(opsPorts.get(s)) } : {};
  launch(s, process.execPath, [...SERVICE_NODE_ARGS, main], { restart: true, defaultEnv: SERVICE_PROCESS_ENV, extraEnv });
}
/** Where the dashboard is, or why there is none (DASHBOARD_DIR=off, or no build). */
function dashboardLine(base) {
  const dir = process.env.DASHBOARD_DIR || join(root, 'services', 'gateway', 'dist', 'dashboard');
  if (dir === 'off') return 'The dashboard is off (DASHBOARD_DIR=off).\n';
  if (!existsSync(join(dir, 'index.html'))) return `There is no dashboard build in ${dir}: / answers 404.\n`;
  return `The dashboard: open ${base}/ in a browser and sign in with the admin key below.\n`;
}

if (await waitReady()) {
  const base = `http://${host}:${port}`;
  // The demo uses a real model when a key is set (each provider's cheaper one, with structured
  // outputs; gpt-4.1-mini as the README's steps), and the built-in offline model otherwise.
  const model = process.env.OPENAI_API_KEY ? 'gpt-4.1-mini' : process.env.ANTHROPIC_API_KEY ? 'claude-haiku-4-5' : 'offline';
  const keyFrom = admin.file ? `KEY=$(cat ${admin.file})` : 'KEY=$TOPDOG_ADMIN_KEY';
  // The CLI reads .data/admin.key by itself only for the gateway at its default URL.
  const cliFindsKey = base === 'http://127.0.0.1:3000' && admin.file === resolve(root, '.data', 'admin.key');
  process.stderr.write(`
TopDog is ready at ${base}  (API docs: ${base}/docs)

${dashboardLine(base)}
Every call needs a credential. The admin key is ${admin.file ? `in ${admin.file}` : 'TOPDOG_ADMIN_KEY'}:
  ${keyFrom}
  curl: -H "Authorization: Bearer $KEY"
  the CLI: ${cliFindsKey ? 'pnpm -s topdog … finds it by itself (or takes TOPDOG_API_KEY)' : `TOPDOG_API_KEY=$KEY pnpm -s topdog --url ${base} …`}
  the client: new TopDogClient({ baseUrl: '${base}', apiKey })
  Make narrower keys: ${cliFindsKey ? 'pnpm -s topdog' : `TOPDOG_API_KEY=$KEY pnpm -s topdog --url ${base}`} keys create --name ci --projects proj123 --role writer

Run a whole workflow with a model (${model}${model === 'offline' ? ': deterministic, no key needed; set OPENAI_API_KEY to use gpt-4.1-mini' : ''}):
  curl -s -X POST ${base}/api/ai-workflows/initialize -H "Authorization: Bearer $KEY" -H 'content-type: application/json' \\
    -d '{"project_id":"proj123","user_id":"user789","requirements":{"description":"Build X feature"},"model":"${model}","auto_advance":true}'
  curl -s -H "Authorization: Bearer $KEY" ${base}/api/ai-workflows/status/<id>   # phases, calls, tokens and cost as they go

Or drive it by hand (your own model answers):
  curl -s -X POST -H "Authorization: Bearer $KEY" ${base}/api/ai-workflows/get-ai-prompt/<id>
  curl -s -X POST ${base}/api/ai-workflows/complete-phase -H "Authorization: Bearer $KEY" -H 'content-type: application/json' \\
    -d '{"workflow_id":"<id>","ai_response":"requirements...","phase_result":{"status":"discovered"}}'
  curl -s -H "Authorization: Bearer $KEY" ${base}/api/llm/providers   # which providers are configured and reachable

Ctrl-C stops everything.
`);
} else {
  log('the services did not become ready in 60 s; see the logs above');
}
