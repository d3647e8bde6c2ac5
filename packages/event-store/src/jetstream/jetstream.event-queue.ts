import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager, type Consumer, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { categoryEventsSubject, eventStreamName } from '@topdog/contracts';
import type { StoredEvent } from '../event-store';
import { decodeCommit, EVENT_TYPES_HEADER } from './commit-codec';

/** Commits fetched at once from a backlog. */
const BACKLOG_BATCH = 256;

export interface EventQueueOptions {
  prefix: string;
  /** The durable consumer's name; every instance using it shares the work. */
  durable: string;
  /** Stream category whose events are queued (`workflow`). */
  category: string;
  /** Only commits holding one of these event types are handed out; others are acknowledged unread. */
  eventTypes: readonly string[];
  /** How long a taken commit stays with its taker without `working()` before it is redelivered. */
  ackWaitMs?: number;
  /** Commits handed out and not yet acknowledged, across every taker (1: strictly one at a time, in order). Default 10,000. */
  maxAckPending?: number;
}

/** A commit taken from the queue; acknowledge it once its work is recorded. */
export interface QueuedCommit {
  events: StoredEvent[];
  /** How many times it was delivered before (0 on the first delivery). */
  redeliveries: number;
  /** When the server stored it, in milliseconds since the epoch (sub-millisecond precision). */
  storedAtMs: number;
  /** Extends the ack deadline while the work runs. */
  working(): void;
  ack(): Promise<void>;
  /** Hands it back for redelivery after a delay. */
  nak(delayMs: number): void;
}

/**
 * Work sharing over the event stream (each webhook's deliveries): a durable JetStream pull
 * consumer, created with `deliver_policy: new` when the work is set up (a webhook's
 * registration), so no commit appended afterwards is missed. Each commit goes to one taker at a
 * time and comes back after `ackWaitMs` if the taker dies. Works on nats-server 2.9 (one filter
 * subject).
 */
export class JetStreamEventQueue {
  private constructor(
    private readonly consumer: Consumer,
    private readonly types: ReadonlySet<string>,
  ) {}

  /** Creates the durable consumer when it does not exist; an existing one keeps its config but takes a given ack wait. */
  static async ensure(nc: NatsConnection, options: EventQueueOptions): Promise<void> {
    const jsm = await jetstreamManager(nc);
    const stream = eventStreamName(options.prefix);
    const ackWait = (options.ackWaitMs ?? 30_000) * 1_000_000;
    try {
      const info = await jsm.consumers.info(stream, options.durable);
      // A given ack wait wins over the one it was created with.
      if (options.ackWaitMs !== undefined && info.config.ack_wait !== ackWait) {
        await jsm.consumers.update(stream, options.durable, { ack_wait: ackWait });
      }
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)) throw err;
      await jsm.consumers.add(stream, {
        durable_name: options.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
        filter_subject: categoryEventsSubject(options.prefix, options.category),
        ack_wait: ackWait,
        max_deliver: -1,
        max_ack_pending: options.maxAckPending ?? 10_000,
      });
    }
  }

  /** Deletes the durable consumer (nothing when it is already gone). */
  static async remove(nc: NatsConnection, prefix: string, durable: string): Promise<void> {
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.consumers.delete(eventStreamName(prefix), durable);
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)) throw err;
    }
  }

  /**
   * Opens a queue whose durable consumer must already exist (never creating it): for a taker
   * whose queue may be deleted under it, which must not bring it back. A missing consumer fails
   * with JetStream's ConsumerNotFound.
   */
  static async openExisting(nc: NatsConnection, options: EventQueueOptions): Promise<JetStreamEventQueue> {
    const consumer = await jetstream(nc).consumers.get(eventStreamName(options.prefix), options.durable);
    return new JetStreamEventQueue(consumer, new Set(options.eventTypes));
  }

  /**
   * Up to `max` matching commits: waits at most `waitMs` for the first, then takes only what is
   * already there (a batch fetch would wait for all `max`, delaying the first). A backlog (the
   * server says how many wait) is fetched in batches, so commits to skip cost one delivery each
   * rather than one pull each; matching commits beyond `max` go straight back to the queue.
   */
  async take(max: number, waitMs: number): Promise<QueuedCommit[]> {
    const taken: QueuedCommit[] = [];
    let wait = Math.max(1_000, waitMs);
    while (taken.length < max) {
      const msg = await this.consumer.next({ expires: wait });
      if (!msg) break;
      this.sort(msg, taken, max);
      let pending = msg.info.pending;
      while (pending > 0 && taken.length < max) {
        const batch = await this.consumer.fetch({ max_messages: Math.min(pending, BACKLOG_BATCH), expires: 1_000 });
        let received = 0;
        for await (const m of batch) {
          received++;
          this.sort(m, taken, max);
          pending = m.info.pending;
        }
        if (received === 0) break;
      }
      wait = 1_000;
      if (pending === 0) break;
    }
    return taken;
  }

  /** Nothing is held between takes: each take pulls what it hands out. */
  async close(): Promise<void> {}

  /** Acknowledges a commit to skip; takes a matching one, or hands it back when `max` are taken. */
  private sort(msg: JsMsg, taken: QueuedCommit[], max: number): void {
    if (!this.wanted(msg)) msg.ack();
    else if (taken.length < max) taken.push(this.queued(msg));
    else msg.nak();
  }

  private wanted(msg: JsMsg): boolean {
    const header = msg.headers?.get(EVENT_TYPES_HEADER);
    if (header) return header.split(',').some((t) => this.types.has(t));
    return decodeCommit(msg.seq, msg.data).some((e) => this.types.has(e.type));
  }

  private queued(msg: JsMsg): QueuedCommit {
    return {
      events: decodeCommit(msg.seq, msg.data).filter((e) => this.types.has(e.type)),
      redeliveries: msg.info.deliveryCount - 1,
      storedAtMs: Number(msg.timestampNanos / 1000n) / 1000,
      working: () => msg.working(),
      ack: async () => {
        await msg.ackAck();
      },
      nak: (delayMs) => msg.nak(delayMs),
    };
  }
}
