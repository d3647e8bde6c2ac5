import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { ServerNats, type NatsContext } from '@nestjs/microservices';
import { subject } from '@topdog/contracts';
import { Histogram, REQUEST_SECONDS_BUCKETS, type Registry } from '../metrics';
import { context, contextFromNatsHeaders, SpanKind, SpanStatusCode, trace, tracer, tracingOn } from '../tracing/trace-context';

export interface PrefixedNatsServerOptions {
  /** Where each handled request's latency and outcome is counted (`topdog_nats_request_duration_seconds`). */
  metrics?: Registry;
}

/** What Nest hands the publisher: the handler's answer (our Reply), or the error it threw. */
interface Outgoing {
  response?: { ok?: boolean; error?: { code?: string } };
  err?: unknown;
}

/**
 * Nest's NATS transport on a connection we own, with our subject prefix: handlers register
 * relative patterns (`cmd.workflow.initialize`) and listen on `<prefix>.<pattern>`, in a queue
 * group so that instances share the load.
 */
export class PrefixedNatsServer extends ServerNats {
  private readonly owned: Subscription[] = [];
  private readonly handled: Histogram<'request' | 'outcome'> | undefined;
  /** Each message being handled with tracing on: how to end its span (once), and whether an answer will. */
  private readonly handling = new WeakMap<Msg, { answered: boolean; end: (outcome?: string) => void }>();

  constructor(
    private readonly connection: NatsConnection,
    private readonly prefix: string,
    private readonly queue: string,
    options: PrefixedNatsServerOptions = {},
  ) {
    super({ queue, gracefulShutdown: true, gracePeriod: 200 });
    if (options.metrics) {
      this.handled = new Histogram({
        name: 'topdog_nats_request_duration_seconds',
        help: 'Requests this service answered over NATS (commands, queries, health), by request and outcome (ok, or the error code answered)',
        labelNames: ['request', 'outcome'],
        buckets: REQUEST_SECONDS_BUCKETS,
        registers: [options.metrics],
      });
    }
  }

  /**
   * With tracing on, each message is handled in a span that continues the sender's trace (its
   * `traceparent` header), so the handler's own requests and appends join that trace too.
   */
  override handleMessage(channel: string, natsMsg: Msg): Promise<unknown> {
    // Only a message sent from inside a trace is traced: health checks and other background asks make none.
    if (!tracingOn() || !natsMsg.headers?.get('traceparent')) return super.handleMessage(channel, natsMsg);
    const parent = contextFromNatsHeaders(natsMsg.headers);
    const span = tracer().startSpan(
      `handle ${channel}`,
      { kind: SpanKind.SERVER, attributes: { 'messaging.system': 'nats', 'messaging.destination.name': natsMsg.subject } },
      parent,
    );
    let ended = false;
    const entry = {
      answered: false,
      end: (outcome?: string) => {
        if (ended) return;
        ended = true;
        if (outcome) span.setAttribute('topdog.outcome', outcome);
        if (outcome === 'INTERNAL') span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      },
    };
    this.handling.set(natsMsg, entry);
    return context
      .with(trace.setSpan(parent, span), () => super.handleMessage(channel, natsMsg))
      .then(
        // An answer ends the span when it goes out; a message that gets none (an event, no reply subject) ends it here.
        (result: unknown) => {
          if (!entry.answered) entry.end();
          return result;
        },
        (err: unknown) => {
          entry.end('INTERNAL');
          throw err;
        },
      );
  }

  /** Nest's publisher of a request's answer: the request timed, and its span ended, when its answer goes out. */
  override getPublisher(natsMsg: Msg, id: string, ctx: NatsContext): (response: unknown) => unknown {
    const publish = super.getPublisher(natsMsg, id, ctx) as (response: unknown) => unknown;
    const traced = this.handling.get(natsMsg);
    // Without a reply subject Nest answers nothing: handleMessage ends the span.
    if (traced && natsMsg.reply) traced.answered = true;
    const handled = this.handled;
    if (!handled && !traced) return publish;
    let end: ((labels: { outcome: string }) => void) | undefined = handled?.startTimer({ request: natsMsg.subject.slice(this.prefix.length + 1) });
    return (response) => {
      const { response: reply, err } = response as Outgoing;
      const outcome = err !== undefined ? 'INTERNAL' : reply?.ok === false ? (reply.error?.code ?? 'INTERNAL') : 'ok';
      // Counted once, at the first answer (a stream of several would publish more).
      end?.({ outcome });
      end = undefined;
      traced?.end(outcome);
      return publish(response);
    };
  }

  override createNatsClient(): Promise<NatsConnection> {
    return Promise.resolve(this.connection);
  }

  override bindEvents(client: NatsConnection): void {
    for (const [pattern, handler] of this.messageHandlers) {
      const queue = typeof handler.extras?.queue === 'string' ? handler.extras.queue : this.queue;
      const sub = client.subscribe(subject(this.prefix, pattern), {
        queue,
        // Nest types its handler as a bare Function; it is NATS's subscription callback.
        callback: this.getMessageHandler(pattern).bind(this) as (err: Error | null, msg: Msg) => void,
      });
      this.owned.push(sub);
    }
  }

  /**
   * Our patterns are plain subjects. Nest's version first tries `JSON.parse` on each, which
   * throws (and builds an Error with its stack) for every message handled.
   */
  override getRouteFromPattern(pattern: string): string {
    return pattern.startsWith('{') ? super.getRouteFromPattern(pattern) : this.normalizePattern(pattern);
  }

  override close(): Promise<void> {
    for (const sub of this.owned.splice(0)) sub.unsubscribe();
    // The connection is the composition root's to drain and close.
    return Promise.resolve();
  }
}
