import {
  apiKeysBucket,
  eventStreamName,
  healthRequest,
  LLM_REQUEST_QUEUE,
  PUBLICATIONS,
  readModelBucket,
  REQUESTS,
  ServiceName,
  subject,
} from '@topdog/contracts';

/** Who connects to the bus: each service, and `reader`, the read-only user of integrations. */
export const BUS_USERS = [...ServiceName.options, 'reader'] as const;
export type BusUser = (typeof BUS_USERS)[number];

/** Subjects a user may (allow) and may not (deny, winning over allow) publish or subscribe to. */
export interface SubjectPermission {
  allow: string[];
  deny: string[];
}

/** One user's permissions, as nats-server's `permissions` block holds them. */
export interface BusPermissions {
  publish: SubjectPermission;
  subscribe: SubjectPermission;
  /** Answers requests: may publish to reply subjects (`_INBOX.>`). */
  allowResponses: boolean;
}

const API = '$JS.API';

/**
 * Each user's permissions on the bus for a deployment prefix: the one source of truth, used
 * by every nats-server configuration TopDog writes (tests, `pnpm start`) and shown in the
 * README. Requests and publications come from the message catalogue (who sends, who answers);
 * the JetStream API subjects are those each service was seen to use against a server enforcing
 * them (nats.js v3 on nats-server 2.9 and 2.10), kept as narrow as works.
 */
export function busPermissions(prefix: string): Record<BusUser, BusPermissions> {
  const stream = eventStreamName(prefix);
  const bucket = readModelBucket(prefix);
  const keys = apiKeysBucket(prefix);
  const durable = LLM_REQUEST_QUEUE.durable;
  const requests = [...Object.values(REQUESTS), ...ServiceName.options.filter((s) => s !== 'gateway').map(healthRequest)];
  const publications = Object.values(PUBLICATIONS);

  const sends = (user: BusUser) => requests.filter((r) => (r.sentBy as readonly string[]).includes(user)).map((r) => subject(prefix, r.subject));
  const answers = (user: BusUser) => requests.filter((r) => r.answeredBy === user).map((r) => subject(prefix, r.subject));
  const publishes = (user: BusUser) => publications.filter((p) => p.publishedBy === user).map((p) => subject(prefix, p.pattern));
  const receives = (user: BusUser) => publications.filter((p) => (p.subscribedBy as readonly string[]).includes(user)).map((p) => subject(prefix, p.pattern));

  const events = `${prefix}.events.>`;
  /**
   * Reading the event stream: its info (the head), direct gets (a workflow's commits by its
   * last subject, or by sequence), and ordered consumers on its subjects. An ordered consumer
   * has a generated name, is asked for its info when heartbeats stop, and is deleted and
   * created again after a gap.
   */
  const readEvents = [
    `${API}.INFO`,
    `${API}.STREAM.INFO.${stream}`,
    `${API}.DIRECT.GET.${stream}`,
    `${API}.DIRECT.GET.${stream}.${events}`,
    `${API}.CONSUMER.CREATE.${stream}.*.${events}`,
    `${API}.CONSUMER.INFO.${stream}.*`,
    `${API}.CONSUMER.MSG.NEXT.${stream}.*`,
    `${API}.CONSUMER.DELETE.${stream}.*`,
  ];
  /** The llm-runner's durable queue is its own and the orchestrator's (which creates it): no one else may replace it, take from it or delete it. */
  const notTheQueue = [
    `${API}.CONSUMER.CREATE.${stream}.${durable}.>`,
    `${API}.CONSUMER.MSG.NEXT.${stream}.${durable}`,
    `${API}.CONSUMER.DELETE.${stream}.${durable}`,
  ];
  /** Creating the queue, or setting its ack wait: the create subject carries the queue's filter. */
  const ensureQueue = [
    `${API}.INFO`,
    `${API}.CONSUMER.INFO.${stream}.${durable}`,
    `${API}.CONSUMER.CREATE.${stream}.${durable}.${prefix}.events.${LLM_REQUEST_QUEUE.category}.>`,
  ];
  const replies = ['_INBOX.>'];

  return {
    gateway: {
      publish: {
        allow: [
          ...sends('gateway'),
          ...publishes('gateway'),
          ...readEvents,
          // The API keys' bucket: created, read, written and deleted by the key endpoints, and
          // watched (an ordered push consumer with flow control) so a revocation applies at once.
          `${API}.STREAM.INFO.KV_${keys}`,
          `${API}.STREAM.CREATE.KV_${keys}`,
          `${API}.STREAM.UPDATE.KV_${keys}`,
          `${API}.DIRECT.GET.KV_${keys}.$KV.${keys}.>`,
          `$KV.${keys}.>`,
          `${API}.CONSUMER.CREATE.KV_${keys}`,
          `${API}.CONSUMER.CREATE.KV_${keys}.*.$KV.${keys}.>`,
          `${API}.CONSUMER.INFO.KV_${keys}.*`,
          `${API}.CONSUMER.DELETE.KV_${keys}.*`,
          `$JS.FC.KV_${keys}.>`,
        ],
        deny: notTheQueue,
      },
      subscribe: { allow: [...answers('gateway'), ...receives('gateway'), ...replies], deny: [] },
      allowResponses: answers('gateway').length > 0,
    },
    orchestrator: {
      publish: {
        allow: [
          ...sends('orchestrator'),
          ...publishes('orchestrator'),
          // The only writer: appends to the event stream, and creates or updates it.
          events,
          `${API}.STREAM.CREATE.${stream}`,
          `${API}.STREAM.UPDATE.${stream}`,
          `${API}.STREAM.INFO.${stream}`,
          `${API}.DIRECT.GET.${stream}`,
          `${API}.DIRECT.GET.${stream}.${events}`,
          // Creates the llm-runner's queue before it appends the first call request.
          ...ensureQueue,
        ],
        deny: [],
      },
      subscribe: { allow: [...answers('orchestrator'), ...receives('orchestrator'), ...replies], deny: [] },
      allowResponses: true,
    },
    projector: {
      publish: {
        allow: [
          ...sends('projector'),
          ...publishes('projector'),
          ...readEvents,
          // Its read models and checkpoint: the KV bucket (created, written, read, purged on a rebuild).
          `${API}.STREAM.INFO.KV_${bucket}`,
          `${API}.STREAM.CREATE.KV_${bucket}`,
          `${API}.STREAM.PURGE.KV_${bucket}`,
          `${API}.DIRECT.GET.KV_${bucket}.$KV.${bucket}.>`,
          `$KV.${bucket}.>`,
          // At start, every stored status read back in one ordered pass (the listing index).
          `${API}.CONSUMER.CREATE.KV_${bucket}.*.$KV.${bucket}.>`,
          `${API}.CONSUMER.INFO.KV_${bucket}.*`,
          `${API}.CONSUMER.MSG.NEXT.KV_${bucket}.*`,
          `${API}.CONSUMER.DELETE.KV_${bucket}.*`,
        ],
        deny: notTheQueue,
      },
      subscribe: { allow: [...answers('projector'), ...receives('projector'), ...replies], deny: [] },
      allowResponses: true,
    },
    'llm-runner': {
      publish: {
        allow: [
          ...sends('llm-runner'),
          ...publishes('llm-runner'),
          // Its queue: opened (and its ack wait set), taken from, acknowledged.
          ...ensureQueue,
          `${API}.CONSUMER.MSG.NEXT.${stream}.${durable}`,
          `$JS.ACK.${stream}.${durable}.>`,
          // The longer form (domain and account hash first) newer servers may send for acks.
          `$JS.ACK.*.*.${stream}.${durable}.>`,
        ],
        deny: [],
      },
      subscribe: { allow: [...answers('llm-runner'), ...receives('llm-runner'), ...replies], deny: [] },
      allowResponses: true,
    },
    reader: {
      publish: { allow: readEvents, deny: notTheQueue },
      subscribe: {
        allow: [events, ...publications.map((p) => subject(prefix, p.pattern)), ...replies],
        deny: [],
      },
      allowResponses: false,
    },
  };
}
