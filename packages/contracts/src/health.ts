import { z } from 'zod';

export const ServiceName = z.enum(['gateway', 'orchestrator', 'llm-runner', 'projector', 'webhooks']);
export type ServiceName = z.infer<typeof ServiceName>;

export const HealthStatus = z.object({
  service: ServiceName,
  instanceId: z.string(),
  ready: z.boolean(),
  /** Service-specific facts (the projector's position, for one). */
  details: z.record(z.string(), z.unknown()).default({}),
});
export type HealthStatus = z.infer<typeof HealthStatus>;

/**
 * The position a projector instance has applied: broadcast after applying events, and every
 * second as a heartbeat. (Not its checkpoint: that is the position stored to resume from.)
 */
export const ProjectorApplied = z.object({
  instanceId: z.string(),
  position: z.number().int().nonnegative(),
  /**
   * False while the instance is catching up with the head it saw when its run began, and while
   * its watchdog sees it behind the event store's head (a stalled subscription): the gateway
   * does not wait for an instance that is not caught up.
   */
  caughtUp: z.boolean(),
});
export type ProjectorApplied = z.infer<typeof ProjectorApplied>;

export const RebuildReadModels = z.object({ reason: z.string().max(500).default('requested') });
export const RebuildResult = z.object({ instanceId: z.string(), startedAt: z.iso.datetime() });

/** How far a projector instance is through its run (a rebuild, or catching up after a start). */
export const GetProjectionProgress = z.object({}).default({});
export const ProjectionProgress = z.object({
  instanceId: z.string(),
  /** Position applied so far. */
  position: z.number().int().nonnegative(),
  /** The head when this run began: the run is caught up once it is applied. */
  target: z.number().int().nonnegative(),
  /** Events applied since this run began. */
  eventsApplied: z.number().int().nonnegative(),
  caughtUp: z.boolean(),
  runStartedAt: z.iso.datetime(),
});
export type ProjectionProgress = z.infer<typeof ProjectionProgress>;
