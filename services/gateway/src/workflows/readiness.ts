import type { NatsConnection } from '@nats-io/transport-node';
import { healthRequest, type ServiceName } from '@topdog/contracts';
import { request } from '@topdog/runtime';

/** The services the gateway needs answering: webhooks only where it can run (on the JetStream store). */
export const requiredServices = (eventStore: 'jetstream' | 'kurrentdb'): ServiceName[] =>
  eventStore === 'kurrentdb' ? ['orchestrator', 'projector', 'llm-runner'] : ['orchestrator', 'projector', 'llm-runner', 'webhooks'];

export interface ReadinessReport {
  ready: boolean;
  services: Record<string, { ready: boolean; instance?: string; error?: string; details?: Record<string, unknown> }>;
}
export type Readiness = () => Promise<ReadinessReport>;

/** Asks each service, over NATS, whether it is ready. */
export function createReadiness(nc: NatsConnection, prefix: string, services: readonly ServiceName[], timeoutMs = 1000): Readiness {
  return async () => {
    const report: ReadinessReport['services'] = { gateway: { ready: !nc.isClosed() } };
    await Promise.all(
      services.map(async (service) => {
        try {
          const health = await request(nc, prefix, healthRequest(service), {}, timeoutMs);
          report[service] = { ready: health.ready, instance: health.instanceId, details: health.details };
        } catch (err) {
          report[service] = { ready: false, error: (err as Error).message };
        }
      }),
    );
    return { ready: Object.values(report).every((s) => s.ready), services: report };
  };
}
