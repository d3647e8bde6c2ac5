/**
 * Subject names, relative to the deployment prefix (`TOPDOG_PREFIX`, default `topdog`).
 * `subject(prefix, name)` gives the wire subject; NestJS handlers register the relative
 * names and the transport adds the prefix.
 */
export const SUBJECTS = {
  initializeWorkflow: 'cmd.workflow.initialize',
  completePhase: 'cmd.workflow.complete-phase',
  workflowStatus: 'query.workflow.status',
  aiPrompt: 'query.workflow.prompt',
  projectorCheckpoint: 'projector.checkpoint',
  rebuildReadModels: 'projector.rebuild',
  health: (service: string) => `health.${service}`,
} as const;

/** A valid prefix: one subject token, also usable in stream and bucket names. */
export const PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export const subject = (prefix: string, name: string): string => `${prefix}.${name}`;

/** The JetStream stream holding every workflow event of a deployment. */
export const eventStreamName = (prefix: string): string => `${prefix.toUpperCase()}_WORKFLOW_EVENTS`;

/** The subject one workflow stream's events are stored on. */
export const eventSubject = (prefix: string, streamId: string): string => `${prefix}.events.${streamId}`;

/** Subjects of all streams. */
export const allEventsSubject = (prefix: string): string => `${prefix}.events.>`;
