import * as z from 'zod';
import { ErrorBody } from './errors';

/** Every NATS reply: the value, or a typed error. Handlers never throw across the wire. */
export function replyOf<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), value }), z.object({ ok: z.literal(false), error: ErrorBody })]);
}
export type Reply<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };
