import type { NatsConnection } from '@nats-io/transport-node';
import { REQUESTS, type ReadModelsProgressResponse, type RebuildResponse } from '@topdog/contracts';
import { request } from '@topdog/runtime';

/** Operating the read models: rebuild them from the event store, and watch how far a run is. */
export function createAdminApi(nc: NatsConnection, prefix: string, timeoutMs: number) {
  return {
    async rebuild(reason: string) {
      const r = await request(nc, prefix, REQUESTS.rebuildReadModels, { reason }, timeoutMs);
      return { instance_id: r.instanceId, started_at: r.startedAt } satisfies RebuildResponse;
    },

    async progress() {
      const p = await request(nc, prefix, REQUESTS.projectionProgress, {}, timeoutMs);
      return {
        instance_id: p.instanceId,
        position: p.position,
        target: p.target,
        events_applied: p.eventsApplied,
        caught_up: p.caughtUp,
        run_started_at: p.runStartedAt,
      } satisfies ReadModelsProgressResponse;
    },
  };
}
export type AdminApi = ReturnType<typeof createAdminApi>;
