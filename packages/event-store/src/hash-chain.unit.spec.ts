import { describe, expect, it } from 'vitest';
import type { StoredEvent } from './event-store';
import { eventHash, verifyChain } from './hash-chain';

function chain(n: number): StoredEvent[] {
  const events: StoredEvent[] = [];
  let prev: string | null = null;
  for (let revision = 0; revision < n; revision++) {
    const event: StoredEvent = {
      id: `e${revision}`, type: 'T', streamId: 'w-1', revision, position: 1000 * (revision + 1), occurredAt: '2026-01-01T00:00:00.000Z',
      correlationId: 'c', causationId: null, actor: 'a', schemaVersion: 1, metadata: { prevHash: prev }, data: { n: revision, nested: { b: 1, a: 2 } },
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
    expect(verifyChain(altered)).toMatchObject({ ok: false, firstBroken: { revision: 3, eventId: 'e3', expected: eventHash(altered[2]!), found: eventHash(events[2]!) } });
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
