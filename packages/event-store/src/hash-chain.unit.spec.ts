import { describe, expect, it } from 'vitest';
import type { StoredEvent } from './event-store';
import { encodeCommit, decodeCommit } from './commit';
import { chainEvents, eventHash, hashOf, verifyChain } from './hash-chain';
import { InMemoryEventStore } from './memory/in-memory.event-store';
import { newTestEvent } from './test-event';

function chain(n: number): StoredEvent[] {
  const events: StoredEvent[] = [];
  let prev: string | null = null;
  for (let revision = 0; revision < n; revision++) {
    const event: StoredEvent = {
      id: `e${revision}`,
      type: 'T',
      streamId: 'w-1',
      revision,
      position: 1000 * (revision + 1),
      occurredAt: '2026-01-01T00:00:00.000Z',
      correlationId: 'c',
      causationId: null,
      actor: 'a',
      schemaVersion: 1,
      metadata: { prevHash: prev },
      data: { n: revision, nested: { b: 1, a: 2 } },
    };
    prev = eventHash(event);
    events.push(event);
  }
  return events;
}

describe('hash chain', () => {
  it('hashes the canonical envelope: key order and position do not matter', () => {
    const [e] = chain(1);
    const reordered = { ...e!, data: { nested: { a: 2, b: 1 }, n: 0 }, position: 99 };
    expect(eventHash(reordered)).toBe(eventHash(e!));
    expect(eventHash(e!)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('verifies an intact chain and names the first broken link after an altered event', () => {
    const events = chain(5);
    expect(verifyChain(events)).toMatchObject({ ok: true, events: 5, verified: 5, unchained: 0, headHash: eventHash(events[4]!) });
    const altered = events.map((e) => (e.revision === 2 ? { ...e, data: { n: 2, nested: { a: 2, b: 1 }, extra: 'forged' } } : e));
    expect(verifyChain(altered)).toMatchObject({
      ok: false,
      firstBroken: { revision: 3, eventId: 'e3', expected: eventHash(altered[2]!), found: eventHash(events[2]!) },
    });
  });

  it('catches a removed event and counts events from before the chain', () => {
    const events = chain(4);
    expect(verifyChain([events[0]!, events[2]!, events[3]!]).ok).toBe(false);
    const legacy = chain(3).map((e, i) => (i === 0 ? { ...e, metadata: {} } : e));
    expect(verifyChain(legacy)).toMatchObject({ ok: false, firstBroken: { revision: 1 } }); // its successor hashed the original
    const relinked: StoredEvent[] = [];
    let prev: string | null = null;
    for (const e of chain(3)) {
      const event = { ...e, metadata: e.revision === 0 ? {} : { prevHash: prev } };
      prev = eventHash(event);
      relinked.push(event);
    }
    expect(verifyChain(relinked)).toMatchObject({ ok: true, verified: 2, unchained: 1 });
  });
});

describe('chainEvents', () => {
  const events = (...types: string[]) => types.map((type) => newTestEvent(type, { type }));

  /** Two appends to one stream, the second linked from `secondRevision` (2 is right); the stream as stored. */
  async function storedAfterTwoAppends(secondRevision: number, secondStreamId = 'wf-1') {
    const store = new InMemoryEventStore();
    const first = chainEvents(null, 'wf-1', 0, events('A', 'B'));
    await store.appendToStream('wf-1', first.events, { expectedRevision: 'no_stream', lastHash: first.lastHash });
    const second = chainEvents(first.lastHash, secondStreamId, secondRevision, events('C', 'D', 'E'));
    await store.appendToStream('wf-1', second.events, { expectedRevision: 1, lastHash: second.lastHash });
    return { stored: await store.readStream('wf-1'), lastHash: second.lastHash };
  }

  it('links appended events so the stream, as stored with its real revisions, verifies', async () => {
    const { stored, lastHash } = await storedAfterTwoAppends(2);
    expect(verifyChain(stored)).toMatchObject({ ok: true, events: 5, verified: 5, unchained: 0, headHash: lastHash });
    expect(stored[0]!.metadata.prevHash).toBeNull();
    expect(stored[2]!.metadata.prevHash).toBe(eventHash(stored[1]!));
  });

  it.each([1, 3])('fails verification when the link is computed at revision %i instead of 2', async (shifted) => {
    const { stored } = await storedAfterTwoAppends(shifted);
    // The append's first event links to the stream's last; its second is the first to hash a wrong revision.
    expect(verifyChain(stored)).toMatchObject({ ok: false, verified: 3, firstBroken: { revision: 3 } });
  });

  it('fails verification when the link is computed for another stream', async () => {
    const { stored } = await storedAfterTwoAppends(2, 'wf-2');
    expect(verifyChain(stored)).toMatchObject({ ok: false, firstBroken: { revision: 3 } });
  });

  it('reads back every event with the hash its writer gave it, the last one from the commit', () => {
    const linked = chainEvents('sha256:prev', 'wf-1', 4, events('A', 'B', 'C'));
    const read = decodeCommit(9, encodeCommit('wf-1', 4, linked.events, linked.lastHash));
    expect(read.map((e) => hashOf(e))).toEqual(read.map((e) => eventHash(e)));
    expect(hashOf(read[2]!)).toBe(linked.lastHash);
    // A commit stored without it: the last event's hash is computed, the others still read.
    const older = decodeCommit(9, encodeCommit('wf-1', 4, linked.events));
    expect(hashOf(older[2]!)).toBe(linked.lastHash);
    expect(hashOf({ ...read[0]! })).toBe(eventHash(read[0]!));
  });

  it('shows a changed event with the hash it was written with, and its chain as broken', async () => {
    const { stored } = await storedAfterTwoAppends(2);
    const changed = decodeCommit(2, encodeCommit('wf-1', 2, [{ ...stored[2]!, data: { type: 'X' } }, stored[3]!, stored[4]!]));
    expect(hashOf(changed[0]!)).toBe(eventHash(stored[2]!));
    expect(hashOf(changed[0]!)).not.toBe(eventHash(changed[0]!));
    expect(verifyChain([...stored.slice(0, 2), ...changed])).toMatchObject({ ok: false, firstBroken: { revision: 3 } });
  });

  it('keeps the other metadata and leaves the events it was given as they were', () => {
    const given = [{ ...newTestEvent('A'), metadata: { idempotencyKey: 'k1' } }];
    const { events: linked } = chainEvents('sha256:prev', 'wf-1', 7, given);
    expect(linked[0]!.metadata).toEqual({ idempotencyKey: 'k1', prevHash: 'sha256:prev' });
    expect(given[0]!.metadata).toEqual({ idempotencyKey: 'k1' });
  });
});
