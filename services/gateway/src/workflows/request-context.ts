import { createHash, randomUUID } from 'node:crypto';
import { TopDogError, type CommandMetadata, type Identity } from '@topdog/contracts';

/** What the gateway reads from a request's headers, validated, and who sent it. */
export interface RequestContext {
  correlationId: string;
  /** The authenticated caller: its actor is recorded in every event the request causes. */
  identity: Identity;
  idempotencyKey: string | undefined;
  /** From If-Match: the revision the client last saw. */
  expectedRevision: number | undefined;
}

type Headers = Record<string, string | string[] | undefined>;

const HEADER_VALUE = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

function token(headers: Headers, name: string): string | undefined {
  const value = header(headers, name);
  if (value === undefined) return undefined;
  if (!HEADER_VALUE.test(value)) {
    throw new TopDogError('VALIDATION_FAILED', 'invalid request', [{ field: name, reason: 'must be 1 to 255 printable ASCII characters' }]);
  }
  return value;
}

/** An ETag for a workflow revision. */
export const etagOf = (revision: number): string => `"${revision}"`;

function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(value.trim());
  if (!match) {
    throw new TopDogError('VALIDATION_FAILED', 'invalid request', [{ field: 'If-Match', reason: 'must be an ETag returned by the status endpoint, like "3"' }]);
  }
  return Number(match[1]);
}

export function readRequestContext(headers: Headers, identity: Identity): RequestContext {
  return {
    correlationId: token(headers, 'X-Correlation-Id') ?? randomUUID(),
    identity,
    idempotencyKey: token(headers, 'Idempotency-Key'),
    expectedRevision: parseIfMatch(header(headers, 'If-Match')),
  };
}

/** Command metadata for a request: correlation, the authenticated actor, time, and the idempotency key's hash. */
export function commandMetadata(ctx: RequestContext, endpoint: string, body: unknown): CommandMetadata {
  const requestHash = ctx.idempotencyKey ? createHash('sha256').update(endpoint).update('\n').update(JSON.stringify(body)).digest('hex') : undefined;
  return {
    correlationId: ctx.correlationId,
    causationId: null,
    actor: ctx.identity.actor,
    now: new Date().toISOString(),
    idempotencyKey: ctx.idempotencyKey,
    requestHash,
  };
}

/** A stable UUID (version 8, name-based) for a name within a scope: the same inputs, the same id. */
export function idForKey(scope: string, name: string): string {
  const hex = createHash('sha256').update(`${scope}\n${name}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The workflow id an initialize with this Idempotency-Key creates, so a retry names the same
 * workflow. The key is the caller's own: the id is made from it and the caller's identity, so
 * another tenant using the same key names another workflow (and learns nothing of this one).
 */
export function workflowIdForKey(prefix: string, actor: string, key: string): string {
  return idForKey(prefix, `initialize\n${actor}\n${key}`);
}

/** The id of the fork of `parent` a fork with this Idempotency-Key creates: as initialize's, in a name space of its own. */
export function forkIdForKey(prefix: string, actor: string, parent: string, key: string): string {
  return idForKey(prefix, `fork\n${actor}\n${parent}\n${key}`);
}
