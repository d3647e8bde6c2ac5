import * as z from 'zod';
import { WorkflowId } from './workflow/ids';

export const ServiceName = z.enum(['gateway', 'orchestrator', 'llm-runner', 'projector', 'webhooks']);
export type ServiceName = z.infer<typeof ServiceName>;

export const HealthStatus = z.object({
  service: ServiceName,
  instanceId: z.string(),
  ready: z.boolean(),
  /** Service-specific facts (the projector's position, for one). */
  details: z.record(z.string(), z.unknown()).default({}),
  /** The instance's clock when it answered (absent from older instances): how a caller sees skew. */
  now: z.iso.datetime().optional(),
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

/**
 * A hint to the projectors, from an orchestrator about to read a workflow its cache does not
 * hold for a command: each projector reads the workflow's status from KV now, while the
 * orchestrator reads the events, rather than once the command's events arrive. Nothing depends
 * on it: a hint lost, or late, only leaves that read where it was.
 */
export const WarmWorkflowStatus = z.object({ workflowId: WorkflowId });
export type WarmWorkflowStatus = z.infer<typeof WarmWorkflowStatus>;

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

/** One thing a deployment depends on (`nats`, `event stream`, a service, `provider <name>`), and whether it answers. */
export const DependencyCheck = z.object({
  name: z.string(),
  ok: z.boolean(),
  /** Why not, when not; or what is worth knowing (a round trip, a provider's latency). */
  detail: z.string().optional(),
});
export type DependencyCheck = z.infer<typeof DependencyCheck>;

export const ServiceReadiness = z.object({
  ready: z.boolean(),
  instance: z.string().optional(),
  error: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  /** Its clock minus the gateway's, in ms (its answer's timestamp against the round trip's middle). */
  clockSkewMs: z.number().optional(),
});
export type ServiceReadiness = z.infer<typeof ServiceReadiness>;

/** `GET /readyz`: 200 when ready, 503 when not, this body either way. */
export const ReadinessResponse = z.object({
  /** NATS, the event stream and every service answer. A provider that is down is named but does not count: other models still serve. */
  ready: z.boolean(),
  /** Each dependency that is down, with why: what to fix. Empty when all is well. */
  down: z.array(z.string()),
  checks: z.array(DependencyCheck),
  services: z.record(z.string(), ServiceReadiness),
});
export type ReadinessResponse = z.infer<typeof ReadinessResponse>;
