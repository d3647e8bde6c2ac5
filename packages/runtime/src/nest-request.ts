import { randomUUID } from 'node:crypto';
import { RequestError, TimeoutError, type NatsConnection } from '@nats-io/transport-node';
import { subject, TopDogError, type Reply } from '@topdog/contracts';
import type { z } from 'zod';

/** Nest's NATS reply packet. */
interface NestReplyPacket {
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

const encoder = new TextEncoder();

/**
 * A request to a NestJS NATS handler in Nest's wire format (`{ pattern, data, id }`), on a
 * connection we already hold. The reply is validated with its schema; a missing or slow
 * service is UNAVAILABLE, never an exception without a code.
 */
export async function requestReply<S extends z.ZodType<Reply<unknown>>>(
  nc: NatsConnection,
  prefix: string,
  pattern: string,
  data: unknown,
  replySchema: S,
  timeoutMs: number,
): Promise<z.infer<S>> {
  const packet = encoder.encode(JSON.stringify({ pattern, data, id: randomUUID() }));
  const limit = nc.info?.max_payload ?? 1024 * 1024;
  if (packet.byteLength > limit) {
    throw new TopDogError('PAYLOAD_TOO_LARGE', `the request is ${packet.byteLength} bytes; NATS carries at most ${limit}`);
  }
  let raw: NestReplyPacket;
  try {
    const msg = await nc.request(subject(prefix, pattern), packet, { timeout: timeoutMs });
    raw = msg.json<NestReplyPacket>();
  } catch (err) {
    if (err instanceof RequestError && err.isNoResponders()) {
      throw new TopDogError('UNAVAILABLE', `no ${pattern} handler is running`, [], { cause: err });
    }
    if (err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError)) {
      throw new TopDogError('UNAVAILABLE', `${pattern} did not answer within ${timeoutMs} ms`, [], { cause: err });
    }
    throw new TopDogError('UNAVAILABLE', `${pattern} could not be reached`, [], { cause: err });
  }
  if (raw.err !== undefined && raw.err !== null) {
    throw new TopDogError('INTERNAL', `${pattern} failed`, [], { cause: raw.err });
  }
  const parsed = replySchema.safeParse(raw.response);
  if (!parsed.success) throw new TopDogError('INTERNAL', `${pattern} sent a malformed reply`, [], { cause: parsed.error });
  return parsed.data;
}

/** The reply's value, or its error thrown as a TopDogError. */
export function unwrap<T>(reply: Reply<T>): T {
  if (reply.ok) return reply.value;
  throw TopDogError.fromBody(reply.error);
}
