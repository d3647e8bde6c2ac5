import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type Consumer,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { TimeoutError, type NatsConnection } from '@nats-io/transport-node';
import { allLlmCallsSubject, LLM_REQUEST_QUEUE, llmCallStreamName, llmCallSubject, QueuedLlmCall } from '@topdog/contracts';
import { assertFitsTheBus } from './bus-message-limit';
import { unavailableOr } from './store-unavailable';

/** One attempt's wait for a queued call's acknowledgement (as an append's). */
const PUBLISH_TIMEOUT_MS = 1_500;

/** When a call this runner cannot read comes back (for a runner of the version that queued it). */
const UNREADABLE_CALL_RETRY_MS = 60_000;

export interface LlmCallQueueOptions {
  prefix: string;
  /** The stream's replicas (the event stream's). */
  replicas?: number;
  /** How long a taken call stays with its taker without `working()` before it is handed out again. */
  ackWaitMs?: number;
  /**
   * Told of a queued message that is not a call request this taker can read (dropped, or it
   * would come back forever): an orchestrator of another version, say. The taker logs it.
   */
  onUnreadable?: (error: Error) => void;
  /** How long such a call waits for a runner that reads it before it is dropped. Default an hour. */
  keepUnreadableMs?: number;
}

/** A call taken from the queue; acknowledge it once its work is done (or it is known to need none). */
export interface TakenLlmCall {
  call: QueuedLlmCall;
  /** How many times it was handed out before (0 the first time). */
  redeliveries: number;
  /** When the orchestrator queued it, in milliseconds since the epoch (sub-millisecond precision). */
  queuedAtMs: number;
  /** Extends the ack deadline while the work runs. */
  working(): void;
  ack(): Promise<void>;
  /** Hands it back, to be handed out again after a delay. */
  nak(delayMs: number): void;
}

/**
 * The llm-runners' work: `<PREFIX>_LLM_CALLS`, a JetStream stream with work-queue retention
 * (a call is gone once acknowledged) and the durable pull consumer `llm_runner` every
 * llm-runner instance takes from. The orchestrator creates both at start, and queues each call
 * request (`Nats-Msg-Id`: the request event's id, so a retried publish is stored once) before
 * appending the commit that holds it. Works on nats-server 2.9.
 */
export class LlmCallQueue {
  private constructor(
    private readonly consumer: Consumer,
    private readonly onUnreadable: (error: Error) => void,
    private readonly keepUnreadableMs: number,
  ) {}

  /** Creates the stream and the consumer, or updates them to these settings (the writer's step at start). */
  static async ensure(nc: NatsConnection, options: LlmCallQueueOptions): Promise<void> {
    const jsm = await jetstreamManager(nc);
    const name = llmCallStreamName(options.prefix);
    const config = {
      name,
      subjects: [allLlmCallsSubject(options.prefix)],
      storage: StorageType.File,
      retention: RetentionPolicy.Workqueue,
      num_replicas: options.replicas ?? 1,
      duplicate_window: 120_000 * 1_000_000,
    };
    try {
      await jsm.streams.info(name);
      await jsm.streams.update(name, config);
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
      await jsm.streams.add(config);
    }
    try {
      await setAckWait(jsm, name, options.ackWaitMs);
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)) throw err;
      await jsm.consumers.add(name, {
        durable_name: LLM_REQUEST_QUEUE.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: (options.ackWaitMs ?? 30_000) * 1_000_000,
        max_deliver: -1,
        max_ack_pending: 10_000,
      });
    }
  }

  /**
   * Opens the queue for taking. It is the orchestrator's to create: until it exists, this waits,
   * calling `onWait` now and then.
   */
  static async open(nc: NatsConnection, options: LlmCallQueueOptions, onWait?: (err: Error) => void): Promise<LlmCallQueue> {
    const name = llmCallStreamName(options.prefix);
    const jsm = await jetstreamManager(nc);
    for (let attempt = 0; ; attempt++) {
      try {
        await setAckWait(jsm, name, options.ackWaitMs);
        break;
      } catch (err) {
        const missing = err instanceof JetStreamApiError && (err.code === JetStreamApiCodes.StreamNotFound || err.code === JetStreamApiCodes.ConsumerNotFound);
        if (!missing) throw err;
        if (attempt % 20 === 0) onWait?.(err);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const consumer = await jetstream(nc).consumers.get(name, LLM_REQUEST_QUEUE.durable);
    return new LlmCallQueue(consumer, options.onUnreadable ?? (() => undefined), options.keepUnreadableMs ?? 3_600_000);
  }

  /**
   * The next call, waiting at most `waitMs` for one; undefined when none came, or what came is
   * no call this runner reads (see `read`). One at a time: each is work, and a pull for more
   * could wait out its expiry while another runner takes them.
   */
  async take(waitMs: number): Promise<TakenLlmCall | undefined> {
    const msg = await this.consumer.next({ expires: Math.max(1_000, waitMs) });
    return msg ? this.read(msg) : undefined;
  }

  /**
   * Nothing to release: nothing is held between takes (each take pulls what it hands out). Kept
   * so that the runner closes the queue as it closes everything it opened.
   */
  async close(): Promise<void> {}

  /**
   * A taken call. A message that is no call request at all is dropped (it would come back
   * forever); one that looks like a call but does not match this runner's schema (an
   * orchestrator of a newer version, during a rolling upgrade) is handed back for a runner that
   * reads it, a minute later, until it is older than `keepUnreadableMs`. Both are reported.
   */
  private read(msg: JsMsg): TakenLlmCall | undefined {
    const json = safeJson(msg);
    const parsed = QueuedLlmCall.safeParse(json);
    const queuedAtMs = Number(msg.timestampNanos / 1000n) / 1000;
    if (!parsed.success) {
      const looksLikeACall =
        typeof (json as { data?: { callId?: unknown } } | undefined)?.data?.callId === 'string' && Date.now() - queuedAtMs < this.keepUnreadableMs;
      if (looksLikeACall) msg.nak(UNREADABLE_CALL_RETRY_MS);
      else msg.term();
      const fate = looksLikeACall ? 'handed back for another runner' : 'dropped';
      this.onUnreadable(
        new Error(`queued call ${msg.seq} on ${msg.subject} is not a call request this runner reads (${fate}): ${parsed.error.message}`.slice(0, 2_000)),
      );
      return undefined;
    }
    return {
      call: parsed.data,
      redeliveries: msg.info.deliveryCount - 1,
      queuedAtMs,
      working: () => msg.working(),
      ack: async () => {
        await msg.ackAck();
      },
      nak: (delayMs) => msg.nak(delayMs),
    };
  }
}

/**
 * Reads the consumer (ConsumerNotFound when it is missing) and gives it the takers' ack wait
 * when one is set: theirs wins over the default the writer created it with.
 */
async function setAckWait(jsm: JetStreamManager, stream: string, ackWaitMs: number | undefined): Promise<void> {
  const info = await jsm.consumers.info(stream, LLM_REQUEST_QUEUE.durable);
  const ackWait = (ackWaitMs ?? 0) * 1_000_000;
  if (ackWaitMs !== undefined && info.config.ack_wait !== ackWait) await jsm.consumers.update(stream, LLM_REQUEST_QUEUE.durable, { ack_wait: ackWait });
}

const safeJson = (msg: JsMsg): unknown => {
  try {
    return msg.json();
  } catch {
    return undefined;
  }
};

/** Queues calls: the orchestrator's side. */
export class LlmCallPublisher {
  private readonly js: JetStreamClient;

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
  ) {
    this.js = jetstream(nc);
  }

  /**
   * Stores the call in the queue (once, however often it is retried); throws
   * EventStoreUnavailableError when JetStream does not answer, AppendTooLargeError when the call
   * alone passes the bus's message limit.
   */
  async enqueue(call: QueuedLlmCall): Promise<void> {
    const payload = new TextEncoder().encode(JSON.stringify(call));
    // The commit holding the call is larger still: refused as the append would be, before anything is queued.
    assertFitsTheBus(this.nc, call.streamId, payload.byteLength);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.js.publish(llmCallSubject(this.prefix, call.data.workflowId), payload, { msgID: call.id, timeout: PUBLISH_TIMEOUT_MS });
          return;
        } catch (err) {
          if (!(err instanceof TimeoutError) || attempt >= 3) throw err;
        }
      }
    } catch (err) {
      throw unavailableOr(err, `queue call ${call.data.callId}`);
    }
  }
}
