import type { NatsConnection } from '@nats-io/transport-node';
import { ProjectionProgressReply, RebuildReply, SUBJECTS } from '@topdog/contracts';
import { requestReply, unwrap } from '@topdog/runtime';

/** Operating the read models: rebuild them from the event store, and watch how far a run is. */
export function createAdminApi(nc: NatsConnection, prefix: string, timeoutMs: number) {
  return {
    async rebuild(reason: string) {
      const r = unwrap(await requestReply(nc, prefix, SUBJECTS.rebuildReadModels, { reason }, RebuildReply, timeoutMs));
      return { instance_id: r.instanceId, started_at: r.startedAt };
    },

    async progress() {
      const p = unwrap(await requestReply(nc, prefix, SUBJECTS.projectionProgress, {}, ProjectionProgressReply, timeoutMs));
      return {
        instance_id: p.instanceId,
        position: p.position,
        target: p.target,
        events_applied: p.eventsApplied,
        caught_up: p.caughtUp,
        run_started_at: p.runStartedAt,
      };
    },
  };
}
export type AdminApi = ReturnType<typeof createAdminApi>;
