import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppendTooLargeError, InvalidStreamIdError, WrongExpectedRevisionError, type EventStore, type StoredEvent } from './event-store';
import { newTestEvent as newEvent } from './test-event';

export interface EventStoreHarness {
  store: EventStore;
  /** The largest append the store takes, in bytes (a server's message limit). */
  appendLimitBytes: number;
  dispose(): Promise<void>;
}

const streamId = () => `test-${randomUUID()}`;

async function take(iterable: AsyncIterable<StoredEvent>, count: number, timeoutMs = 5000): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`got ${out.length} of ${count} events in ${timeoutMs} ms`)), timeoutMs));
  const reading = (async () => {
    for await (const e of iterable) {
      out.push(e);
      if (out.length === count) break;
    }
    return out;
  })();
  return Promise.race([reading, timer]);
}

/**
 * The behaviour every event store adapter must have. Each adapter's test calls this with a
 * factory for a store on a private backend (a real server, or memory).
 */
export function eventStoreContract(
  name: string,
  harness: () => Promise<EventStoreHarness>,
  /** `snapshots`: whether the adapter keeps snapshots (`saveSnapshot`, `readSnapshot`). */
  { snapshots }: { snapshots: boolean },
): void {
  describe(`event store contract: ${name}`, () => {
    let h: EventStoreHarness;
    let store: EventStore;
    beforeAll(async () => {
      h = await harness();
      store = h.store;
    });
    afterAll(async () => h?.dispose());

    it('appends to a new stream and reads the events back in order with their envelope', async () => {
      const id = streamId();
      const events = [newEvent('A', { n: 1 }), newEvent('B', { n: 2 }), newEvent('C', { n: 3 })];
      const result = await store.appendToStream(id, events, { expectedRevision: 'no_stream' });
      expect(result.nextRevision).toBe(2);
      const read = await store.readStream(id);
      expect(read.map((e) => [e.type, e.revision, e.data])).toEqual([
        ['A', 0, { n: 1 }],
        ['B', 1, { n: 2 }],
        ['C', 2, { n: 3 }],
      ]);
      expect(read[0]).toMatchObject({
        id: events[0]!.id,
        streamId: id,
        occurredAt: '2026-01-01T00:00:00.000Z',
        correlationId: 'corr-1',
        causationId: null,
        actor: 'contract-test',
        schemaVersion: 1,
      });
      // Positions grow along the log, and the append reports its last event's.
      const positions = read.map((e) => e.position);
      expect(positions[0]).toBeLessThan(positions[1]!);
      expect(positions[1]).toBeLessThan(positions[2]!);
      expect(positions[2]).toBe(result.position);
    });

    it('appends at the expected revision and refuses any other, writing nothing', async () => {
      const id = streamId();
      await store.appendToStream(id, [newEvent('A')], { expectedRevision: 'no_stream' });
      await expect(store.appendToStream(id, [newEvent('X')], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(store.appendToStream(id, [newEvent('X')], { expectedRevision: 5 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await store.appendToStream(id, [newEvent('B')], { expectedRevision: 0 });
      await expect(store.appendToStream(id, [newEvent('X')], { expectedRevision: 0 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(store.appendToStream(streamId(), [newEvent('X')], { expectedRevision: 0 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      expect((await store.readStream(id)).map((e) => e.type)).toEqual(['A', 'B']);
    });

    it('lets exactly one of many concurrent writers at one revision win', async () => {
      const id = streamId();
      await store.appendToStream(id, [newEvent('A')], { expectedRevision: 'no_stream' });
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => store.appendToStream(id, [newEvent(`W${i}`), newEvent(`W${i}b`)], { expectedRevision: 0 })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
      }
      const read = await store.readStream(id);
      expect(read.map((e) => e.revision)).toEqual([0, 1, 2]);
      expect(read[1]!.type.replace(/b$/, '')).toBe(read[2]!.type.replace(/b$/, ''));
    });

    it("appends at 'any' revision after whatever is there", async () => {
      const id = streamId();
      await store.appendToStream(id, [newEvent('A')], { expectedRevision: 'any' });
      const r = await store.appendToStream(id, [newEvent('B')], { expectedRevision: 'any' });
      expect(r.nextRevision).toBe(1);
    });

    it('reads from a revision, at most a count, and nothing for an unknown stream', async () => {
      const id = streamId();
      await store.appendToStream(id, [newEvent('A'), newEvent('B')], { expectedRevision: 'no_stream' });
      await store.appendToStream(id, [newEvent('C'), newEvent('D')], { expectedRevision: 1 });
      expect((await store.readStream(id, { fromRevision: 1 })).map((e) => e.type)).toEqual(['B', 'C', 'D']);
      expect((await store.readStream(id, { fromRevision: 1, maxCount: 2 })).map((e) => e.type)).toEqual(['B', 'C']);
      expect(await store.readStream(streamId())).toEqual([]);
    });

    it('orders positions globally across streams, and reports the head', async () => {
      const a = streamId();
      const b = streamId();
      const r1 = await store.appendToStream(a, [newEvent('A')], { expectedRevision: 'no_stream' });
      const r2 = await store.appendToStream(b, [newEvent('B')], { expectedRevision: 'no_stream' });
      const r3 = await store.appendToStream(a, [newEvent('C')], { expectedRevision: 0 });
      expect(r1.position).toBeLessThan(r2.position);
      expect(r2.position).toBeLessThan(r3.position);
      expect(await store.headPosition()).toBe(r3.position);
    });

    it('subscribes to all: catches up, then delivers live appends, in position order', async () => {
      const category = `cat${randomUUID().slice(0, 8)}`;
      const s1 = `${category}-one`;
      const s2 = `${category}-two`;
      const first = await store.appendToStream(s1, [newEvent('A'), newEvent('B')], { expectedRevision: 'no_stream' });
      const controller = new AbortController();
      const sub = store.subscribeToAll({ filter: { category }, signal: controller.signal });
      const received = take(sub, 4);
      await new Promise((r) => setTimeout(r, 100));
      await store.appendToStream(`other${category}-one`, [newEvent('Elsewhere')], { expectedRevision: 'no_stream' });
      await store.appendToStream(s2, [newEvent('C')], { expectedRevision: 'no_stream' });
      await store.appendToStream(s1, [newEvent('D')], { expectedRevision: 1 });
      const events = await received;
      controller.abort();
      expect(events.map((e) => e.type)).toEqual(['A', 'B', 'C', 'D']);
      const positions = events.map((e) => e.position);
      expect([...positions].sort((x, y) => x - y)).toEqual(positions);
      expect(events[1]!.position).toBe(first.position);
    });

    it('resumes exactly after a given position, inside a multi-event append too', async () => {
      const id = `resume${randomUUID().slice(0, 8)}-x`;
      await store.appendToStream(id, [newEvent('A'), newEvent('B'), newEvent('C')], { expectedRevision: 'no_stream' });
      const all = await store.readStream(id);
      const after = await take(store.subscribeToAll({ fromPosition: all[0]!.position, filter: { streamId: id } }), 2);
      expect(after.map((e) => e.type)).toEqual(['B', 'C']);
    });

    it('delivers only the filtered stream, before and after catching up', async () => {
      const category = `one${randomUUID().slice(0, 8)}`;
      await store.appendToStream(`${category}-a`, [newEvent('A1')], { expectedRevision: 'no_stream' });
      await store.appendToStream(`${category}-b`, [newEvent('B1')], { expectedRevision: 'no_stream' });
      const controller = new AbortController();
      const received = take(store.subscribeToAll({ filter: { streamId: `${category}-a` }, signal: controller.signal }), 2);
      await new Promise((r) => setTimeout(r, 100));
      await store.appendToStream(`${category}-b`, [newEvent('B2')], { expectedRevision: 0 });
      await store.appendToStream(`${category}-a`, [newEvent('A2')], { expectedRevision: 0 });
      const events = await received;
      controller.abort();
      expect(events.map((e) => e.type)).toEqual(['A1', 'A2']);
    });

    it('ends a subscription when its signal aborts, also while it waits for live events', async () => {
      const id = `abort${randomUUID().slice(0, 8)}-x`;
      await store.appendToStream(id, [newEvent('A')], { expectedRevision: 'no_stream' });
      const controller = new AbortController();
      const iterator = store.subscribeToAll({ filter: { streamId: id }, signal: controller.signal })[Symbol.asyncIterator]();
      expect((await iterator.next()).value).toMatchObject({ type: 'A' });
      const waiting = iterator.next();
      await new Promise((r) => setTimeout(r, 100));
      controller.abort();
      const ended = await Promise.race([waiting, new Promise((r) => setTimeout(() => r('still waiting'), 5000))]);
      expect(ended).toEqual({ done: true, value: undefined });
      const aborted = new AbortController();
      aborted.abort();
      expect(await take(store.subscribeToAll({ filter: { streamId: id }, signal: aborted.signal }), 1)).toEqual([]);
    });

    it('refuses an append over its size limit, writing nothing', async () => {
      const id = streamId();
      const big = newEvent('Big', { text: 'x'.repeat(h.appendLimitBytes) });
      await expect(store.appendToStream(id, [newEvent('A'), big], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(AppendTooLargeError);
      expect(await store.readStream(id)).toEqual([]);
      await store.appendToStream(id, [newEvent('A')], { expectedRevision: 'no_stream' });
      expect(await store.readStream(id)).toHaveLength(1);
    });

    it('rejects stream ids it cannot hold', async () => {
      await expect(store.appendToStream('no category', [newEvent('A')], { expectedRevision: 'any' })).rejects.toThrow(/invalid stream id/);
      await expect(store.appendToStream('Upper-1', [newEvent('A')], { expectedRevision: 'any' })).rejects.toBeInstanceOf(InvalidStreamIdError);
      await expect(store.readStream('no category')).rejects.toBeInstanceOf(InvalidStreamIdError);
    });

    describe('snapshots', () => {
      /** The snapshot kept once it is there (an adapter may keep it after `saveSnapshot` returns). */
      async function keptSnapshot(id: string, revision: number, timeoutMs = 5_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const kept = await store.readSnapshot!(id);
          if (kept?.revision === revision || Date.now() > deadline) return kept;
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      const bytes = (text: string) => new TextEncoder().encode(text);

      it(snapshots ? 'keeps the last snapshot at the tip, and none for a stream without one' : 'has none: a writer folds every read', async () => {
        if (!snapshots) {
          expect('saveSnapshot' in store).toBe(false);
          expect('readSnapshot' in store).toBe(false);
          return;
        }
        const id = streamId();
        expect(await store.readSnapshot!(id)).toBeUndefined();
        await store.appendToStream(id, [newEvent('A'), newEvent('B')], { expectedRevision: 'no_stream' });
        expect(await store.saveSnapshot!(id, { revision: 1, data: bytes('at 1') })).toBe(true);
        await store.appendToStream(id, [newEvent('C')], { expectedRevision: 1 });
        // Not the tip any more: not kept.
        expect(await store.saveSnapshot!(id, { revision: 1, data: bytes('late') })).toBe(false);
        expect(await store.saveSnapshot!(id, { revision: 2, data: bytes('at 2') })).toBe(true);
        const kept = await keptSnapshot(id, 2);
        expect(kept?.revision).toBe(2);
        expect(new TextDecoder().decode(kept!.data)).toBe('at 2');
        await expect(store.readSnapshot!('no category')).rejects.toBeInstanceOf(InvalidStreamIdError);
      });

      it.runIf(snapshots)('reads a snapshot with the events from its revision on, the stream as stored now', async () => {
        const id = streamId();
        await store.appendToStream(id, [newEvent('A')], { expectedRevision: 'no_stream' });
        await store.appendToStream(id, [newEvent('B')], { expectedRevision: 0 });
        await store.saveSnapshot!(id, { revision: 1, data: bytes('at 1') });
        const atTip = await keptSnapshot(id, 1);
        expect(atTip?.events.map((e) => [e.type, e.revision])).toEqual([['B', 1]]);
        await store.appendToStream(id, [newEvent('C'), newEvent('D')], { expectedRevision: 1 });
        const passed = await store.readSnapshot!(id);
        expect(passed?.revision).toBe(1);
        expect(passed?.events.map((e) => [e.type, e.revision])).toEqual([
          ['B', 1],
          ['C', 2],
          ['D', 3],
        ]);
        // Its tip known from the read: an append after it goes on.
        await store.appendToStream(id, [newEvent('E')], { expectedRevision: 3 });
        expect((await store.readStream(id)).map((e) => e.type)).toEqual(['A', 'B', 'C', 'D', 'E']);
      });
    });
  });
}
