import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { BUS_USERS, busPasswordVariable, natsServerAuthConfigFromEnvironment, type BusAccount } from '@topdog/runtime';
import { freePort, natsServerBinary } from '@topdog/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const BUS_ACCOUNTS: BusAccount[] = [...BUS_USERS, 'admin'];

/** `docker compose` (the plugin) or `docker-compose`, whichever this machine has; null when neither. */
function composeCommand(): string[] | null {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    try {
      execFileSync(command[0]!, [...command.slice(1), 'version'], { stdio: 'ignore' });
      return command;
    } catch {
      // not this one
    }
  }
  return null;
}

const compose = composeCommand();
if (!compose) console.warn('SKIPPED: docker-compose.yml is not checked: no `docker compose` or `docker-compose` on this machine');

interface Service {
  image?: string;
  build?: unknown;
  profiles?: string[];
  deploy?: { replicas?: number };
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  ports?: unknown[];
}

/** What `pnpm compose:setup` puts in .env: a password per bus account (test values here). */
const BUS_PASSWORDS = Object.fromEntries(BUS_ACCOUNTS.map((account) => [busPasswordVariable(account), `password-of-${account}`]));
const SECRETS = { ...BUS_PASSWORDS, GRAFANA_ADMIN_PASSWORD: 'password-of-grafana' };

/**
 * The compose file as the compose CLI resolves it (anchors merged, variables substituted), with
 * the given environment only: not the shell's, nor a developer's .env.
 */
function resolved(profile?: string, env: Record<string, string> = SECRETS): Record<string, Service> {
  return (parse(composeConfig(profile, env)) as { services: Record<string, Service> }).services;
}

function composeConfig(profile: string | undefined, env: Record<string, string>): string {
  const [command, ...args] = compose!;
  const envFile = join(mkdtempSync(join(tmpdir(), 'topdog-compose-')), 'empty.env');
  writeFileSync(envFile, '');
  return execFileSync(command!, [...args, '--env-file', envFile, '-f', 'docker-compose.yml', ...(profile ? ['--profile', profile] : []), 'config'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const SERVICES = ['orchestrator', 'projector', 'llm-runner', 'webhooks', 'gateway'];

/** docker-compose.yml checked by the compose CLI itself (no Docker engine runs here to start it). */
describe('docker-compose.yml', () => {
  it.skipIf(!compose)('runs a three-node NATS 2.10+ cluster synced on every write', () => {
    const services = resolved();
    for (const node of ['nats1', 'nats2', 'nats3']) {
      expect(services[node]?.image).toMatch(/^nats:2\.(1\d|[2-9]\d)/);
      expect(services[node]?.environment?.NATS_SERVER_NAME).toBe(node);
      expect(services[node]?.healthcheck).toBeDefined();
    }
    const config = readFileSync(`${root}/deploy/nats-cluster.conf`, 'utf8');
    expect(config).toMatch(/sync_interval: always/);
    expect(config).toMatch(/routes: \[[^\]]*nats1:6222[^\]]*nats2:6222[^\]]*nats3:6222/);
  });

  it.skipIf(!compose)('runs two replicas of every service, each given all three servers, with three-replica streams and buckets', () => {
    const services = resolved();
    for (const name of SERVICES) {
      const service = services[name]!;
      expect(service.deploy?.replicas, name).toBe(2);
      expect(service.environment?.NATS_URL?.split(','), name).toHaveLength(3);
      expect(service.environment?.EVENT_STREAM_REPLICAS, name).toBe('3');
    }
    expect(services.projector!.environment!.READ_MODEL_REPLICAS).toBe('3');
    expect(services.gateway!.environment!.API_KEYS_REPLICAS).toBe('3');
    expect(services.webhooks!.environment!.WEBHOOKS_REPLICAS).toBe('3');
    // The gateways are published on the host's loopback unless TOPDOG_GATEWAY_PORTS says otherwise.
    expect(JSON.stringify(services.gateway!.ports)).toContain('127.0.0.1');
  });

  it.skipIf(!compose)('checks every instance on its own: the gateway is up on its HTTP port, the others ready on their operations port', () => {
    const services = resolved();
    for (const name of SERVICES) {
      const probe = services[name]!.healthcheck?.test?.join(' ') ?? '';
      // The gateway's /readyz is the whole system's (every service answering): one webhooks outage must not mark every gateway unhealthy.
      const [port, path] = name === 'gateway' ? [services.gateway!.environment!.PORT, 'healthz'] : [services[name]!.environment!.METRICS_PORT, 'readyz'];
      expect(port, name).toMatch(/^\d+$/);
      expect(probe, name).toContain(`http://127.0.0.1:${port}/${path}`);
    }
  });

  it.skipIf(!compose)('takes secrets from the environment only, and runs KurrentDB only in its profile', () => {
    const services = resolved();
    expect(services['llm-runner']!.environment!.OPENAI_API_KEY).toBe('');
    expect(services.gateway!.environment!.TOPDOG_ADMIN_KEY).toBe('');
    expect(readFileSync(`${root}/docker-compose.yml`, 'utf8')).not.toMatch(/sk-|tdk_[A-Za-z0-9]{8}/);
    // Without the bus passwords compose refuses to run, and says what to do.
    expect(() => composeConfig(undefined, {})).toThrow(/run pnpm compose:setup/);
    expect(services.kurrentdb?.profiles).toEqual(['kurrentdb']);
    expect(resolved('kurrentdb').kurrentdb?.image).toMatch(/kurrentdb/);
  });

  it.skipIf(!compose)('connects each service as its own bus user, with the password every NATS node is given', () => {
    const services = resolved();
    for (const name of SERVICES) {
      expect(services[name]!.environment!.NATS_USER, name).toBe(name);
      expect(services[name]!.environment!.NATS_PASSWORD, name).toBe(`password-of-${name}`);
    }
    for (const node of ['nats1', 'nats2', 'nats3']) {
      expect(services[node]!.environment, node).toMatchObject(BUS_PASSWORDS);
    }
  });
});

/** The bus users every node of the compose cluster loads: the permissions of the code, passwords from the environment. */
describe('deploy/nats-users.conf', () => {
  const usersFile = join(root, 'deploy', 'nats-users.conf');

  it('is what `pnpm compose:setup` writes from the bus permissions (run it after changing them)', () => {
    const body = readFileSync(usersFile, 'utf8')
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join('\n');
    expect(body.trim()).toBe(natsServerAuthConfigFromEnvironment('topdog'));
  });

  it('admits each user with the password in the environment, refuses a wrong one, and will not start without them', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'topdog-nats-users-'));
    const config = join(dir, 'nats.conf');
    // Laid out as on a compose node: the users file beside the configuration that includes it.
    copyFileSync(usersFile, join(dir, 'nats-users.conf'));
    writeFileSync(config, `listen: "127.0.0.1:${port}"\ninclude ./nats-users.conf\n`);
    expect(() => execFileSync(natsServerBinary(), ['-c', config, '-t'], { env: { PATH: process.env.PATH }, stdio: 'pipe' })).toThrow(
      /TOPDOG_NATS_PASSWORD_\w+.*can not be found/,
    );
    const server = spawn(natsServerBinary(), ['-c', config], { env: { PATH: process.env.PATH, ...BUS_PASSWORDS }, stdio: 'ignore' });
    try {
      let nc: NatsConnection | undefined;
      for (let i = 0; !nc; i++) {
        nc = await connect({ servers: `127.0.0.1:${port}`, user: 'orchestrator', pass: 'password-of-orchestrator' }).catch((err: unknown) => {
          if (i > 100) throw err;
          return new Promise<undefined>((r) => setTimeout(() => r(undefined), 50));
        });
      }
      await nc.close();
      await expect(connect({ servers: `127.0.0.1:${port}`, user: 'orchestrator', pass: 'password-of-gateway' })).rejects.toThrow(/Authorization/i);
    } finally {
      server.kill('SIGKILL');
    }
  });
});

/** The observability profile's files: every metric the dashboard and the scrape config name is one the services serve. */
describe('the observability profile', () => {
  const read = (path: string) => readFileSync(join(root, path), 'utf8');
  /** Every `topdog_*` metric the services define (each is created with `name: 'topdog_…'`). */
  const served = (): Set<string> => {
    const files = execFileSync('git', ['ls-files', 'services', 'packages'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f.endsWith('.ts') && !f.includes('.spec.'));
    const names = new Set<string>();
    for (const file of files) for (const [, name] of read(file).matchAll(/name: '(topdog_[a-z_]+)'/g)) names.add(name!);
    return names;
  };

  it.skipIf(!compose)('adds a collector, Jaeger, Prometheus and Grafana, on loopback, only in its profile', () => {
    const services = resolved('observability');
    for (const name of ['otel-collector', 'jaeger', 'prometheus', 'grafana']) {
      expect(services[name]?.image, name).toBeDefined();
      expect(services[name]?.profiles, name).toEqual(['observability']);
    }
    for (const name of ['jaeger', 'prometheus', 'grafana']) expect(JSON.stringify(services[name]!.ports), name).toContain('127.0.0.1');
    expect(services.grafana!.environment!.GF_SECURITY_ADMIN_PASSWORD).toBe('password-of-grafana');
    // The services' operations ports are reachable by Prometheus on the compose network.
    expect(services.orchestrator!.environment!.METRICS_HOST).toBe('0.0.0.0');
  });

  it('scrapes every service at the port it serves /metrics on', () => {
    const config = parse(read('deploy/prometheus.yml')) as { scrape_configs: { job_name: string; dns_sd_configs: { names: string[]; port: number }[] }[] };
    const jobs = Object.fromEntries(config.scrape_configs.map((j) => [j.job_name, j.dns_sd_configs[0]!]));
    expect(jobs.gateway).toMatchObject({ names: ['gateway'], port: 3000 });
    for (const service of ['orchestrator', 'projector', 'llm-runner', 'webhooks'])
      expect(jobs[service], service).toMatchObject({ names: [service], port: 9464 });
  });

  it('provisions a dashboard whose every panel asks for metrics the services serve', () => {
    const dashboard = JSON.parse(read('deploy/grafana/dashboards/topdog.json')) as {
      uid: string;
      templating: { list: { name: string; type: string }[] };
      panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[];
    };
    expect(dashboard.uid).toBe('topdog-overview');
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(12);
    // Any Prometheus will do: the panels ask the one the dashboard's variable names.
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource' }));
    const names = served();
    for (const panel of dashboard.panels) {
      expect(panel.datasource.uid, panel.title).toBe('${datasource}');
      for (const target of panel.targets) {
        for (const [metric] of target.expr.matchAll(/topdog_[a-z_]+/g)) {
          // Histograms are asked for by their _bucket and _count series.
          expect(names, `${panel.title}: ${metric}`).toContain(metric.replace(/_(bucket|count|sum)$/, ''));
        }
      }
    }
    const provisioning = parse(read('deploy/grafana/provisioning/dashboards/dashboards.yaml')) as { providers: { options: { path: string } }[] };
    expect(provisioning.providers[0]!.options.path).toBe('/var/lib/grafana/dashboards');
  });

  it('passes the services’ spans from OTLP/HTTP to Jaeger', () => {
    const collector = parse(read('deploy/otel-collector.yaml')) as {
      receivers: { otlp: { protocols: { http: { endpoint: string } } } };
      service: { pipelines: { traces: { exporters: string[] } } };
    };
    expect(collector.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(collector.service.pipelines.traces.exporters).toEqual(['otlp/jaeger']);
  });
});
