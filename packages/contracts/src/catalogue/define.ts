import type { z } from 'zod';
import type { ServiceName } from '../health';
import { replyOf, type Reply } from '../reply';

/**
 * A NATS request/reply, defined once: its subject (relative to the deployment prefix), the
 * schema of what is sent, and the schema of the value answered. On the wire the value travels
 * inside a `Reply` (the value, or a typed error), which `wire` validates. `answeredBy` and
 * `sentBy` are who may subscribe to it and who may send it: each service's bus permissions are
 * derived from them.
 */
export interface RequestDefinition<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly subject: string;
  readonly request: Req;
  readonly reply: Res;
  readonly wire: z.ZodType<Reply<z.output<Res>>>;
  readonly answeredBy: ServiceName;
  readonly sentBy: readonly ServiceName[];
}

export function defineRequest<Req extends z.ZodType, Res extends z.ZodType>(definition: {
  subject: string;
  request: Req;
  reply: Res;
  answeredBy: ServiceName;
  sentBy: readonly ServiceName[];
}): RequestDefinition<Req, Res> {
  return { ...definition, wire: replyOf(definition.reply) as unknown as z.ZodType<Reply<z.output<Res>>> };
}

/** What a caller builds and sends (defaults may be left out). */
export type RequestOf<D extends RequestDefinition> = z.input<D['request']>;
/** What a handler receives once the request is validated. */
export type ReceivedOf<D extends RequestDefinition> = z.output<D['request']>;
/** What a handler answers (defaults may be left out). */
export type AnswerOf<D extends RequestDefinition> = z.input<D['reply']>;
/** What a caller gets back once the answer is validated. */
export type ReplyOf<D extends RequestDefinition> = z.output<D['reply']>;

/**
 * A message published without a reply (a broadcast, a live feed), defined once: its subject
 * (relative to the prefix, built from the arguments) and its schema; `pattern` is the subject
 * with `*` for each argument. `publishedBy` and `subscribedBy` are who may publish and receive
 * it (the read-only `reader` user of integrations receives every publication too).
 */
export interface PublicationDefinition<M extends z.ZodType = z.ZodType, A extends readonly string[] = readonly string[]> {
  readonly subject: (...args: A) => string;
  readonly message: M;
  readonly pattern: string;
  readonly publishedBy: ServiceName;
  readonly subscribedBy: readonly ServiceName[];
}

export function definePublication<M extends z.ZodType, A extends readonly string[]>(definition: {
  subject: (...args: A) => string;
  message: M;
  publishedBy: ServiceName;
  subscribedBy: readonly ServiceName[];
}): PublicationDefinition<M, A> {
  const wildcards = Array.from({ length: definition.subject.length }, () => '*') as unknown as A;
  return { ...definition, pattern: definition.subject(...wildcards) };
}

export type MessageOf<D extends PublicationDefinition> = z.input<D['message']>;
