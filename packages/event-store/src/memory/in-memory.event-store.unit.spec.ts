import { describe, expect, it } from 'vitest';
import { eventStoreContract } from '../event-store.contract';
import { newTestEvent } from '../test-event';
import { InMemoryEventStore } from './in-memory.event-store';

const appendLimitBytes = 64 * 1024;

eventStoreContract(
  'in memory',
  async () => {
    const store = new InMemoryEventStore({ maxAppendBytes: appendLimitBytes });
    return { store, appendLimitBytes, dispose: () => store.close() };
  },
  { snapshots: true },
);

describe('in-memory event store specifics', () => {
  it('numbers events as the JetStream adapter does: append sequence × 1000 + index', async () => {
    const store = new InMemoryEventStore();
    expect(await store.headPosition()).toBe(0);
    await store.appendToStream('wf-1', [newTestEvent('A'), newTestEvent('B'), newTestEvent('C')], { expectedRevision: 'no_stream' });
    const second = await store.appendToStream('wf-2', [newTestEvent('D')], { expectedRevision: 'no_stream' });
    expect(second).toEqual({ nextRevision: 0, position: 2000 });
    expect((await store.readStream('wf-1')).map((e) => e.position)).toEqual([1000, 1001, 1002]);
    expect(await store.headPosition()).toBe(2000);
  });

  it('hands out copies: changing what was appended or read changes nothing stored', async () => {
    const store = new InMemoryEventStore();
    const event = newTestEvent('A', { n: 1 });
    await store.appendToStream('wf-1', [event], { expectedRevision: 'no_stream' });
    (event.data as { n: number }).n = 2;
    const [read] = await store.readStream('wf-1');
    (read!.data as { n: number }).n = 3;
    expect((await store.readStream('wf-1'))[0]!.data).toEqual({ n: 1 });
  });

  it('ends live subscriptions when closed', async () => {
    const store = new InMemoryEventStore();
    const iterator = store.subscribeToAll()[Symbol.asyncIterator]();
    const waiting = iterator.next();
    await store.close();
    expect(await waiting).toEqual({ done: true, value: undefined });
  });
});
