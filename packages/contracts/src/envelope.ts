import * as z from 'zod';

/** Who caused an event: a user through the API, or one of our services. */
export const Actor = z.string().min(1).max(500);

/** Request-scoped metadata every command carries; events copy it into their envelope. */
export const CommandMetadata = z.object({
  correlationId: z.string().min(1).max(200),
  /** The id of the message that caused this command (an event id, or absent for a user's request). */
  causationId: z.string().min(1).max(200).nullable().default(null),
  actor: Actor,
  /** When the command was accepted; the domain never reads a clock. */
  now: z.iso.datetime(),
  idempotencyKey: z.string().min(1).max(255).optional(),
  /** Hash of the request body a key was used with, to reject a key reused for another body. */
  requestHash: z.string().optional(),
});
export type CommandMetadata = z.infer<typeof CommandMetadata>;

/** Envelope fields that are not the event's type and data. */
const envelopeFields = {
  id: z.string().min(1),
  streamId: z.string().min(1),
  /** Index of the event in its stream, from 0. */
  revision: z.number().int().nonnegative(),
  /** Global order across streams; opaque but strictly increasing. */
  position: z.number().int().nonnegative(),
  occurredAt: z.iso.datetime(),
  correlationId: z.string(),
  causationId: z.string().nullable(),
  actor: z.string(),
  schemaVersion: z.number().int().positive(),
  /**
   * Optional extra metadata: idempotency key and request hash; `prevHash`, the hash of the
   * previous event of the stream (null on the first), which chains a stream for tamper evidence;
   * `traceparent`, the W3C trace context of the command that wrote it (with tracing on), which
   * leads from an audit entry to its trace.
   */
  metadata: z
    .object({
      idempotencyKey: z.string().optional(),
      requestHash: z.string().optional(),
      prevHash: z.string().nullable().optional(),
      traceparent: z.string().optional(),
    })
    .default({}),
};

type EnvelopeFields = z.ZodObject<typeof envelopeFields>;

/**
 * Builds the envelope schema for a discriminated union of `{ type, data }` events: each event
 * object extended with the envelope fields, still discriminated by `type`. (An intersection of
 * the two parsed every event twice and deep-merged the results: a tenth of a replay's CPU.)
 */
export function envelopeOf<T extends z.ZodDiscriminatedUnion<readonly z.ZodObject<{ type: z.ZodLiteral<string>; data: z.ZodType }>[]>>(
  event: T,
): z.ZodType<z.output<EnvelopeFields> & z.output<T>, z.input<EnvelopeFields> & z.input<T>> {
  const extended = event.options.map((option) => option.extend(envelopeFields));
  return z.discriminatedUnion('type', extended as unknown as [z.ZodObject, ...z.ZodObject[]]) as never;
}

export const AnyEnvelope = z.object({ ...envelopeFields, type: z.string(), data: z.unknown() });
export type AnyEnvelope = z.infer<typeof AnyEnvelope>;

/** An event as read back from the store: its type and data, with envelope fields. */
export type Envelope<E extends { type: string; data: unknown }> = Omit<AnyEnvelope, 'type' | 'data'> & E;

/** An event about to be appended: the store assigns revision and position. */
export type NewEvent<E extends { type: string; data: unknown } = { type: string; data: unknown }> = E &
  Omit<AnyEnvelope, 'type' | 'data' | 'revision' | 'position' | 'streamId'>;
