import { z } from 'zod';
import { replyOf } from './reply';

export const ServiceName = z.enum(['gateway', 'orchestrator', 'llm-runner', 'projector']);
export type ServiceName = z.infer<typeof ServiceName>;

export const HealthStatus = z.object({
  service: ServiceName,
  instanceId: z.string(),
  ready: z.boolean(),
  /** Service-specific facts (the projector's position, for one). */
  details: z.record(z.string(), z.unknown()).default({}),
});
export type HealthStatus = z.infer<typeof HealthStatus>;
export const HealthReply = replyOf(HealthStatus);

/** Broadcast by each projector instance after applying events, and as a heartbeat. */
export const ProjectorCheckpoint = z.object({
  instanceId: z.string(),
  position: z.number().int().nonnegative(),
  /** False while the instance is still catching up with the head it saw at start. */
  caughtUp: z.boolean(),
});
export type ProjectorCheckpoint = z.infer<typeof ProjectorCheckpoint>;

export const RebuildReadModels = z.object({ reason: z.string().max(500).default('requested') });
export const RebuildResult = z.object({ instanceId: z.string(), startedAt: z.iso.datetime() });
export const RebuildReply = replyOf(RebuildResult);

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
export const ProjectionProgressReply = replyOf(ProjectionProgress);
