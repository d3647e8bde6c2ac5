import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));

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
  healthcheck?: unknown;
  ports?: unknown[];
}

/** The compose file as the compose CLI resolves it (anchors merged, variables substituted). */
function resolved(profile?: string): Record<string, Service> {
  const [command, ...args] = compose!;
  const env = { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', TOPDOG_ADMIN_KEY: '' };
  const text = execFileSync(command!, [...args, '-f', 'docker-compose.yml', ...(profile ? ['--profile', profile] : []), 'config'], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  return (parse(text) as { services: Record<string, Service> }).services;
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
    expect(services.gateway!.healthcheck).toBeDefined();
  });

  it.skipIf(!compose)('takes secrets from the environment only, and runs KurrentDB only in its profile', () => {
    const services = resolved();
    expect(services['llm-runner']!.environment!.OPENAI_API_KEY).toBe('');
    expect(services.gateway!.environment!.TOPDOG_ADMIN_KEY).toBe('');
    expect(readFileSync(`${root}/docker-compose.yml`, 'utf8')).not.toMatch(/sk-|tdk_[A-Za-z0-9]{8}/);
    expect(services.kurrentdb?.profiles).toEqual(['kurrentdb']);
    expect(resolved('kurrentdb').kurrentdb?.image).toMatch(/kurrentdb/);
  });
});
