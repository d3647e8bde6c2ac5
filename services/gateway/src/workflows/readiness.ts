import type { NatsConnection } from '@nats-io/transport-node';
import { healthRequest, ProviderStatus, type DependencyCheck, type ReadinessResponse, type ServiceName } from '@topdog/contracts';
import { request } from '@topdog/runtime';

/** The services the gateway needs answering: webhooks only where it can run (on the JetStream store). */
export const requiredServices = (eventStore: 'jetstream' | 'kurrentdb'): ServiceName[] =>
  eventStore === 'kurrentdb' ? ['orchestrator', 'projector', 'llm-runner'] : ['orchestrator', 'projector', 'llm-runner', 'webhooks'];

export type Readiness = () => Promise<ReadinessResponse>;

export interface ReadinessDeps {
  nc: NatsConnection;
  prefix: string;
  services: readonly ServiceName[];
  /** The event store's head: it answers when the stream does. */
  eventStreamHead: () => Promise<number>;
  timeoutMs?: number;
}

const within = <T>(ms: number, work: Promise<T>): Promise<T> =>
  Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

/** Asks each dependency, at once, whether it answers: NATS, the event stream, each service over NATS, each configured provider (through the llm-runner). */
export function createReadiness(deps: ReadinessDeps): Readiness {
  const timeoutMs = deps.timeoutMs ?? 1000;
  return async () => {
    const checks: DependencyCheck[] = [];
    const services: ReadinessResponse['services'] = {};
    const check = async (name: string, probe: () => Promise<string | undefined>) => {
      try {
        const detail = await within(timeoutMs, probe());
        checks.push({ name, ok: true, ...(detail ? { detail } : {}) });
      } catch (err) {
        checks.push({ name, ok: false, detail: (err as Error).message });
      }
    };
    let providers: ProviderStatus[] = [];
    await Promise.all([
      check('nats', async () => `round trip ${(await deps.nc.rtt()).toFixed(1)} ms`),
      check('event stream', async () => `head at ${await deps.eventStreamHead()}`),
      ...deps.services.map((service) =>
        check(service, async () => {
          const sentAt = Date.now();
          try {
            const health = await request(deps.nc, deps.prefix, healthRequest(service), {}, timeoutMs);
            const answeredAt = Date.now();
            const clockSkewMs = health.now ? Math.round(Date.parse(health.now) - (sentAt + answeredAt) / 2) : undefined;
            services[service] = {
              ready: health.ready,
              instance: health.instanceId,
              details: health.details,
              ...(clockSkewMs !== undefined ? { clockSkewMs } : {}),
            };
            if (service === 'llm-runner')
              providers = ProviderStatus.array()
                .catch([])
                .parse(health.details.providers ?? []);
            if (!health.ready) throw new Error(`${health.instanceId} is not ready`);
            return undefined;
          } catch (err) {
            services[service] ??= { ready: false, error: (err as Error).message };
            throw err;
          }
        }),
      ),
    ]);
    for (const p of providers.filter((p) => p.configured && p.provider !== 'offline')) {
      const ok = p.reachable !== false;
      checks.push({
        name: `provider ${p.provider}`,
        ok,
        ...(ok ? (p.latencyMs !== null ? { detail: `answered in ${Math.round(p.latencyMs)} ms` } : {}) : { detail: p.error ?? 'unreachable' }),
      });
    }
    const order = ['nats', 'event stream', ...deps.services];
    const rank = (c: DependencyCheck) => (order.includes(c.name) ? order.indexOf(c.name) : order.length);
    checks.sort((a, b) => rank(a) - rank(b));
    const core = checks.filter((c) => !c.name.startsWith('provider '));
    services.gateway = { ready: !deps.nc.isClosed() };
    return {
      ready: core.every((c) => c.ok),
      down: checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail ?? 'down'}`),
      checks,
      services,
    };
  };
}
