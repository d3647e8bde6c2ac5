import type { NatsConnection } from '@nats-io/transport-node';
import { healthRequest, type ServiceName } from '@topdog/contracts';
import { request } from '@topdog/runtime';

const SERVICES: ServiceName[] = ['orchestrator', 'projector', 'llm-runner', 'webhooks'];

export interface ReadinessReport {
  ready: boolean;
  services: Record<string, { ready: boolean; instance?: string; error?: string; details?: Record<string, unknown> }>;
}
export type Readiness = () => Promise<ReadinessReport>;

/** Asks each service, over NATS, whether it is ready. */
export function createReadiness(nc: NatsConnection, prefix: string, timeoutMs = 1000): Readiness {
  return async () => {
    const services: ReadinessReport['services'] = { gateway: { ready: !nc.isClosed() } };
    await Promise.all(
      SERVICES.map(async (service) => {
        try {
          const health = await request(nc, prefix, healthRequest(service), {}, timeoutMs);
          services[service] = { ready: health.ready, instance: health.instanceId, details: health.details };
        } catch (err) {
          services[service] = { ready: false, error: (err as Error).message };
        }
      }),
    );
    return { ready: Object.values(services).every((s) => s.ready), services };
  };
}
