import { createHash } from 'node:crypto';
import type { NewEvent } from '@topdog/contracts';
import canonicalize from 'canonicalize';
import type { StoredEvent } from './event-store';

/** An event as hashed: its envelope without the store-assigned position (the same on any store). */
type Hashable = Omit<StoredEvent, 'position'> & { position?: number };

/**
 * The hash of an event: sha256 over the RFC 8785 canonical JSON of its envelope, position left
 * out. The next event of the stream carries it as `metadata.prevHash`, so changing any stored
 * event breaks the link after it.
 */
export function eventHash(event: Hashable): string {
  const { position: _position, ...envelope } = event;
  return `sha256:${createHash('sha256')
    .update(canonicalize(envelope) ?? '')
    .digest('hex')}`;
}

/** Hashes read with their events (`rememberHash`), by event object: nothing is added to an event's shape. */
const writtenHashes = new WeakMap<object, string>();

/** Records the hash an event's writer gave it, as read from the store with the event. */
export function rememberHash(event: object, hash: string): void {
  writtenHashes.set(event, hash);
}

/**
 * The hash the next append links to: as the event's writer recorded it when the store kept it,
 * else computed. Linking to the recorded hash keeps a changed event a break in the chain (a
 * recomputed one would link past it). What is shown and checked (`auditRecord`, `verifyChain`)
 * is always computed.
 */
export function hashOf(event: Hashable): string {
  return writtenHashes.get(event) ?? eventHash(event);
}

export interface ChainedEvents<E extends NewEvent> {
  /** The events, each with `metadata.prevHash` set. */
  events: E[];
  /** The hash of the last event as it will be read back: the next append links to it. */
  lastHash: string | null;
}

/**
 * Links events about to be appended to `streamId` from `firstRevision`: each carries the hash
 * of the one before it as it will be read back (with its stream id and revision), the first
 * carries `lastHash`, the hash of the stream's last event (null for a new stream). Pure.
 */
export function chainEvents<E extends NewEvent>(lastHash: string | null, streamId: string, firstRevision: number, events: readonly E[]): ChainedEvents<E> {
  let prevHash = lastHash;
  const linked = events.map((event, index) => {
    const withLink: E = { ...event, metadata: { ...event.metadata, prevHash } };
    prevHash = eventHash({ ...withLink, streamId, revision: firstRevision + index });
    return withLink;
  });
  return { events: linked, lastHash: prevHash };
}

export interface ChainBreak {
  /** The revision whose `prevHash` does not match its predecessor. */
  revision: number;
  eventId: string;
  /** The hash of the event before it, as stored now. */
  expected: string | null;
  /** What the event says its predecessor hashed to. */
  found: string | null;
}

export interface ChainReport {
  ok: boolean;
  events: number;
  /** Links checked: events carrying a `prevHash`. */
  verified: number;
  /** Events written before the chain existed (no `prevHash`); their successors still cover them. */
  unchained: number;
  firstBroken: ChainBreak | null;
  /** The hash of the last event: pin it elsewhere to detect a rewrite of the whole tail. */
  headHash: string | null;
}

/** Checks a stream's events (in revision order) link to each other. Pure. */
export function verifyChain(events: readonly Hashable[]): ChainReport {
  let previous: string | null = null;
  let verified = 0;
  let unchained = 0;
  const broken = (event: Hashable, expected: string | null, found: string | null): ChainReport => ({
    ok: false,
    events: events.length,
    verified,
    unchained,
    headHash: null,
    firstBroken: { revision: event.revision, eventId: event.id, expected, found },
  });
  for (const [index, event] of events.entries()) {
    if (event.revision !== index) return broken(event, `revision ${index}`, `revision ${event.revision}`);
    const found = (event.metadata as { prevHash?: string | null } | undefined)?.prevHash;
    if (found === undefined) unchained++;
    else if (found !== previous) return broken(event, previous, found);
    else verified++;
    previous = eventHash(event);
  }
  return { ok: true, events: events.length, verified, unchained, firstBroken: null, headHash: previous };
}
