import { createHash } from 'node:crypto';
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
  return `sha256:${createHash('sha256').update(canonicalize(envelope) ?? '').digest('hex')}`;
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
  for (const [index, event] of events.entries()) {
    if (event.revision !== index) {
      return { ok: false, events: events.length, verified, unchained, headHash: null, firstBroken: { revision: event.revision, eventId: event.id, expected: `revision ${index}`, found: `revision ${event.revision}` } };
    }
    const found = (event.metadata as { prevHash?: string | null } | undefined)?.prevHash;
    if (found === undefined) unchained++;
    else if (found !== previous) {
      return { ok: false, events: events.length, verified, unchained, headHash: null, firstBroken: { revision: event.revision, eventId: event.id, expected: previous, found } };
    } else verified++;
    previous = eventHash(event);
  }
  return { ok: true, events: events.length, verified, unchained, firstBroken: null, headHash: previous };
}
