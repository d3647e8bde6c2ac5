import {
  allEventsSubject,
  allLlmCallsSubject,
  apiKeysBucket,
  categoryEventsSubject,
  eventStreamName,
  healthRequest,
  LLM_REQUEST_QUEUE,
  llmCallStreamName,
  PUBLICATIONS,
  readModelBucket,
  REQUESTS,
  allSnapshotsSubject,
  snapshotStreamName,
  ServiceName,
  subject,
  webhooksBucket,
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
}

const API = '$JS.API';

/**
 * The prefix of a bus user's reply subjects (nats.js `inboxPrefix`): `_INBOX_<user>`. Each user
 * may subscribe only under its own, so no one reads the answers to another's requests; the
 * operators' `admin` keeps nats.js's and the nats CLI's default, `_INBOX`.
 */
export function busInbox(user: BusUser | 'admin'): string {
  return user === 'admin' ? '_INBOX' : `_INBOX_${user}`;
}

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
  const hooks = webhooksBucket(prefix);
  const durable = LLM_REQUEST_QUEUE.durable;
  const requests = [...Object.values(REQUESTS), ...ServiceName.options.filter((s) => s !== 'gateway').map(healthRequest)];
  const publications = Object.values(PUBLICATIONS);

  const sends = (user: BusUser) => requests.filter((r) => (r.sentBy as readonly string[]).includes(user)).map((r) => subject(prefix, r.subject));
  const answers = (user: BusUser) => requests.filter((r) => r.answeredBy === user).map((r) => subject(prefix, r.subject));
  /**
   * Where a user's answers go: the inboxes of those who send it requests, and the operators'
   * (`admin`'s, nats.js's default `_INBOX`). Not nats-server's `allow_responses` (an answer only
   * to a request it delivered, once): on 2.9.10 its table of pending replies cost the server
   * about 0.7 ms of CPU per request under load.
   */
  const answersTo = (user: BusUser) => {
    const senders = new Set(requests.filter((r) => r.answeredBy === user).flatMap((r) => r.sentBy));
    return senders.size === 0 ? [] : [...[...senders].map((s) => `${busInbox(s)}.>`), `${busInbox('admin')}.>`];
  };
  /** Its own reply subjects: the only inbox it may read. */
  const ownInbox = (user: BusUser) => [`${busInbox(user)}.>`];
  const publishes = (user: BusUser) => publications.filter((p) => p.publishedBy === user).map((p) => subject(prefix, p.pattern));
  const receives = (user: BusUser) => publications.filter((p) => (p.subscribedBy as readonly string[]).includes(user)).map((p) => subject(prefix, p.pattern));

  const events = allEventsSubject(prefix);
  const snapshotStream = snapshotStreamName(prefix);
  const snapshots = allSnapshotsSubject(prefix);
  /**
   * Reading the event stream: its info (the head), direct gets (a workflow's commits by its
   * last subject, or by sequence), and ordered consumers on its subjects. An ordered consumer
   * has a generated name, is asked for its info when heartbeats stop, and is created again
   * after a gap.
   */
  const readEvents = [
    `${API}.INFO`,
    `${API}.STREAM.INFO.${stream}`,
    `${API}.DIRECT.GET.${stream}`,
    `${API}.DIRECT.GET.${stream}.${events}`,
    `${API}.CONSUMER.CREATE.${stream}.*.${events}`,
    `${API}.CONSUMER.INFO.${stream}.*`,
    `${API}.CONSUMER.MSG.NEXT.${stream}.*`,
  ];
  /**
   * The services also delete the ordered consumer they replace after a gap (nats.js does it as
   * it creates the next; the server would otherwise drop it after 5 idle minutes). Not the
   * reader: consumer names do not say whose they are, and an integration must not be able to
   * delete a service's.
   */
  const deleteReplacedConsumers = [`${API}.CONSUMER.DELETE.${stream}.*`];
  /**
   * The call queue (its own stream): created with its consumer, and written to, by the
   * orchestrator alone; opened (its ack wait set), taken from and acknowledged by the
   * llm-runners alone. No other user has any subject of it.
   */
  const calls = llmCallStreamName(prefix);
  const callQueueConsumer = [`${API}.INFO`, `${API}.CONSUMER.INFO.${calls}.${durable}`, `${API}.CONSUMER.CREATE.${calls}.${durable}`];
  const ensureCallQueue = [...callQueueConsumer, `${API}.STREAM.INFO.${calls}`, `${API}.STREAM.CREATE.${calls}`, `${API}.STREAM.UPDATE.${calls}`];
  /**
   * The name of the runners' former queue on the event stream (before the call queue): no one
   * may make (or delete) a consumer of that name there, since an orchestrator starting after an
   * upgrade queues again what it holds (`requeueFormerCallQueue`) and then deletes it.
   */
  const notTheFormerQueue = [
    `${API}.CONSUMER.CREATE.${stream}.${durable}`,
    `${API}.CONSUMER.CREATE.${stream}.${durable}.>`,
    `${API}.CONSUMER.DURABLE.CREATE.${stream}.${durable}`,
    `${API}.CONSUMER.DELETE.${stream}.${durable}`,
  ];

  return {
    gateway: {
      publish: {
        allow: [
          ...sends('gateway'),
          ...publishes('gateway'),
          ...readEvents,
          ...deleteReplacedConsumers,
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
        deny: notTheFormerQueue,
      },
      subscribe: { allow: [...answers('gateway'), ...receives('gateway'), ...ownInbox('gateway')], deny: [] },
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
          // Reads a workflow's tip from the stream's leader (leaderReads), not a lagging replica.
          `${API}.STREAM.MSG.GET.${stream}`,
          // Its snapshots of workflows (their own stream, which no one else may read or write):
          // created or updated at start, one kept per workflow as it changes, read on a cold command.
          snapshots,
          `${API}.STREAM.CREATE.${snapshotStream}`,
          `${API}.STREAM.UPDATE.${snapshotStream}`,
          `${API}.STREAM.INFO.${snapshotStream}`,
          `${API}.DIRECT.GET.${snapshotStream}.${snapshots}`,
          // Creates the call queue at start, and queues each call request before appending it.
          ...ensureCallQueue,
          allLlmCallsSubject(prefix),
          // Once, after an upgrade: the requests left on the runners' former queue on the event
          // stream are queued again, and that consumer deleted.
          `${API}.CONSUMER.INFO.${stream}.${durable}`,
          `${API}.CONSUMER.DELETE.${stream}.${durable}`,
          ...answersTo('orchestrator'),
        ],
        deny: [],
      },
      subscribe: { allow: [...answers('orchestrator'), ...receives('orchestrator'), ...ownInbox('orchestrator')], deny: [] },
    },
    projector: {
      publish: {
        allow: [
          ...sends('projector'),
          ...publishes('projector'),
          ...readEvents,
          ...deleteReplacedConsumers,
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
          ...answersTo('projector'),
        ],
        deny: notTheFormerQueue,
      },
      subscribe: { allow: [...answers('projector'), ...receives('projector'), ...ownInbox('projector')], deny: [] },
    },
    'llm-runner': {
      publish: {
        allow: [
          ...sends('llm-runner'),
          ...publishes('llm-runner'),
          // The call queue: opened (and its ack wait set), taken from, acknowledged.
          ...callQueueConsumer,
          `${API}.CONSUMER.MSG.NEXT.${calls}.${durable}`,
          `$JS.ACK.${calls}.${durable}.>`,
          // The longer form (domain and account hash first) newer servers may send for acks.
          `$JS.ACK.*.*.${calls}.${durable}.>`,
          ...answersTo('llm-runner'),
        ],
        deny: notTheFormerQueue,
      },
      subscribe: { allow: [...answers('llm-runner'), ...receives('llm-runner'), ...ownInbox('llm-runner')], deny: [] },
    },
    webhooks: {
      publish: {
        allow: [
          ...sends('webhooks'),
          ...publishes('webhooks'),
          ...readEvents,
          // One durable pull consumer per webhook (`webhook_<id>`, filtered on the workflow
          // events): created at registration, taken from one at a time, acknowledged, deleted
          // with its webhook. Consumer names are single tokens, so the name is a wildcard.
          `${API}.CONSUMER.CREATE.${stream}.*.${categoryEventsSubject(prefix, 'workflow')}`,
          `${API}.CONSUMER.DELETE.${stream}.*`,
          `$JS.ACK.${stream}.*.>`,
          `$JS.ACK.*.*.${stream}.*.>`,
          // Its registrations and delivery logs: the KV bucket (created, read, written, listed).
          `${API}.STREAM.INFO.KV_${hooks}`,
          `${API}.STREAM.CREATE.KV_${hooks}`,
          `${API}.STREAM.UPDATE.KV_${hooks}`,
          `${API}.DIRECT.GET.KV_${hooks}.$KV.${hooks}.>`,
          `$KV.${hooks}.>`,
          `${API}.CONSUMER.CREATE.KV_${hooks}`,
          `${API}.CONSUMER.CREATE.KV_${hooks}.*.$KV.${hooks}.>`,
          `${API}.CONSUMER.INFO.KV_${hooks}.*`,
          `${API}.CONSUMER.MSG.NEXT.KV_${hooks}.*`,
          `${API}.CONSUMER.DELETE.KV_${hooks}.*`,
          `$JS.FC.KV_${hooks}.>`,
          ...answersTo('webhooks'),
        ],
        deny: notTheFormerQueue,
      },
      subscribe: { allow: [...answers('webhooks'), ...receives('webhooks'), ...ownInbox('webhooks')], deny: [] },
    },
    reader: {
      publish: { allow: readEvents, deny: notTheFormerQueue },
      subscribe: {
        allow: [events, ...publications.map((p) => subject(prefix, p.pattern)), ...ownInbox('reader')],
        deny: [],
      },
    },
  };
}
