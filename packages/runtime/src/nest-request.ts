import { randomUUID } from 'node:crypto';
import { headers, RequestError, TimeoutError, type NatsConnection } from '@nats-io/transport-node';
import { subject, TopDogError, type Reply, type RequestDefinition, type ReplyOf, type RequestOf } from '@topdog/contracts';
import { ConnectionLoss, ConnectionLostError } from './connection-loss';
import { inSpan, injectIntoNatsHeaders, inTrace, SpanKind } from './tracing/trace-context';

/** Nest's NATS reply packet. */
interface NestReplyPacket {
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

const encoder = new TextEncoder();

/**
 * Sends a request of the catalogue to its NestJS handler in Nest's wire format
 * (`{ pattern, data, id }`), on a connection we already hold, and returns the answer validated
 * with the definition's reply schema. A typed error in the reply is thrown as a TopDogError; a
 * missing or slow service is UNAVAILABLE, never an exception without a code.
 */
export async function request<D extends RequestDefinition>(
  nc: NatsConnection,
  prefix: string,
  definition: D,
  data: RequestOf<D>,
  timeoutMs: number,
): Promise<ReplyOf<D>> {
  const pattern = definition.subject;
  const packet = encoder.encode(JSON.stringify({ pattern, data, id: randomUUID() }));
  const limit = nc.info?.max_payload ?? 1024 * 1024;
  if (packet.byteLength > limit) {
    throw new TopDogError('PAYLOAD_TOO_LARGE', `the request is ${packet.byteLength} bytes; NATS carries at most ${limit}`);
  }
  let raw: NestReplyPacket;
  try {
    const to = subject(prefix, pattern);
    const send = async () => {
      // With tracing on, the handler's span joins this one's trace (W3C `traceparent` in the headers).
      const traced = inTrace() ? headers() : undefined;
      if (traced) injectIntoNatsHeaders(traced);
      return ConnectionLoss.of(nc).race(nc.request(to, packet, { timeout: timeoutMs, ...(traced ? { headers: traced } : {}) }));
    };
    const msg = inTrace()
      ? await inSpan(`send ${pattern}`, { kind: SpanKind.CLIENT, attributes: { 'messaging.system': 'nats', 'messaging.destination.name': to } }, send)
      : await send();
    raw = msg.json<NestReplyPacket>();
  } catch (err) {
    if (err instanceof RequestError && err.isNoResponders()) {
      throw new TopDogError('UNAVAILABLE', `no ${pattern} handler is running`, [], { cause: err });
    }
    if (err instanceof ConnectionLostError) {
      throw new TopDogError('UNAVAILABLE', `the connection to NATS dropped before ${pattern} answered`, [], { cause: err });
    }
    if (err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError)) {
      throw new TopDogError('UNAVAILABLE', `${pattern} did not answer within ${timeoutMs} ms`, [], { cause: err });
    }
    throw new TopDogError('UNAVAILABLE', `${pattern} could not be reached`, [], { cause: err });
  }
  if (raw.err !== undefined && raw.err !== null) {
    throw new TopDogError('INTERNAL', `${pattern} failed`, [], { cause: raw.err });
  }
  const parsed = definition.wire.safeParse(raw.response);
  if (!parsed.success) throw new TopDogError('INTERNAL', `${pattern} sent a malformed reply`, [], { cause: parsed.error });
  if (!parsed.data.ok) throw TopDogError.fromBody(parsed.data.error);
  return parsed.data.value as ReplyOf<D>;
}

/** A request's outcome as a Reply, for callers that branch on the error code rather than catch it. */
export function settle<T>(pending: Promise<T>): Promise<Reply<T>> {
  return pending.then(
    (value) => ({ ok: true as const, value }),
    (err: unknown) => {
      if (err instanceof TopDogError) return { ok: false as const, error: err.toBody() };
      throw err;
    },
  );
}
