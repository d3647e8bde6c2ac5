/**
 * Names on the bus outside the message catalogue (catalogue/): the event stream, its subjects
 * and the llm-runner's call queue. A wire subject is `subject(prefix, name)`, the prefix being the
 * deployment's (`TOPDOG_PREFIX`, default `topdog`).
 */

/** A valid prefix: one subject token, also usable in stream and bucket names. */
export const PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export const subject = (prefix: string, name: string): string => `${prefix}.${name}`;

/** The JetStream stream holding every workflow event of a deployment. */
export const eventStreamName = (prefix: string): string => `${prefix.toUpperCase()}_WORKFLOW_EVENTS`;

/**
 * The subject one stream's events are stored on: its category and id as two tokens
 * (`workflow-<id>` → `<prefix>.events.workflow.<id>`), so that a category can be filtered on.
 */
export const eventSubject = (prefix: string, streamId: string): string => `${prefix}.events.${streamId.replace('-', '.')}`;

/** Subjects of every stream of one category (`workflow`: every workflow's events). */
export const categoryEventsSubject = (prefix: string, category: string): string => `${prefix}.events.${category}.>`;

/** Subjects of all streams. */
export const allEventsSubject = (prefix: string): string => `${prefix}.events.>`;

/**
 * The JetStream stream of the writer's snapshots: the last one of each event stream (one
 * message per subject), so a command on a workflow no cache holds reads one message, not every
 * commit. Derived data, kept by the orchestrator alone; losing it costs only a slower read.
 */
export const snapshotStreamName = (prefix: string): string => `${prefix.toUpperCase()}_WORKFLOW_SNAPSHOTS`;

/** The subject one event stream's snapshot is kept on (`workflow-<id>` → `<prefix>.snapshots.workflow.<id>`). */
export const snapshotSubject = (prefix: string, streamId: string): string => `${prefix}.snapshots.${streamId.replace('-', '.')}`;

/** Subjects of all snapshots. */
export const allSnapshotsSubject = (prefix: string): string => `${prefix}.snapshots.>`;

/** The NATS KV bucket holding the projector's read models and its checkpoint. */
export const readModelBucket = (prefix: string): string => `${prefix}_read_models`;

/** The KV bucket of a deployment's API keys (key id → record: the secret's hash, never the secret), kept by the gateway. */
export const apiKeysBucket = (prefix: string): string => `${prefix}_api_keys`;

/**
 * The work queue of model calls (JetStream, work-queue retention): the orchestrator puts each
 * call request there (`QueuedLlmCall`, on its workflow's subject) before it appends the commit
 * holding it, and the llm-runner instances share the durable consumer `llm_runner` on it. They
 * are sent the call requests and nothing else.
 */
export const llmCallStreamName = (prefix: string): string => `${prefix.toUpperCase()}_LLM_CALLS`;

/** The subject a workflow's queued calls are put on. */
export const llmCallSubject = (prefix: string, workflowId: string): string => `${prefix}.calls.${workflowId}`;

/** Subjects of the call queue. */
export const allLlmCallsSubject = (prefix: string): string => `${prefix}.calls.>`;

/** The llm-runners' shared durable consumer on the call queue. */
export const LLM_REQUEST_QUEUE = { durable: 'llm_runner' } as const;

/** The KV bucket of a deployment's webhooks (registrations and delivery logs), kept by the webhooks service. */
export const webhooksBucket = (prefix: string): string => `${prefix}_webhooks`;

/** The durable consumer on the event stream that feeds one webhook, in order. */
export const webhookConsumerName = (webhookId: string): string => `webhook_${webhookId}`;
