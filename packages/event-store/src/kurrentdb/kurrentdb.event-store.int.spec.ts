import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventStoreContract } from '../event-store.contract';
import { newTestEvent } from '../test-event';
import { KurrentDbEventQueue } from './kurrentdb.event-queue';
import { KurrentDbEventStore } from './kurrentdb.event-store';

/**
 * The KurrentDB adapter against a real KurrentDB server, when KURRENTDB_CONNECTION_STRING names
 * one (`kurrentdb://127.0.0.1:2113?tls=false`). None can run on the machines this project is
 * built on: then these tests are skipped, and say so.
 */
const connectionString = process.env.KURRENTDB_CONNECTION_STRING;
if (!connectionString) {
  console.warn('SKIPPED: the KurrentDB event store contract and queue tests: set KURRENTDB_CONNECTION_STRING to a KurrentDB server to run them');
}

if (connectionString) {
  eventStoreContract('KurrentDB', async () => {
    const store = await KurrentDbEventStore.connect({ connectionString, prefix: `contract${randomUUID().slice(0, 8)}` });
    return { store, appendLimitBytes: 1024 * 1024, dispose: () => store.close() };
  });
}

describe.skipIf(!connectionString)('KurrentDB queue', () => {
  it('hands each queued event to one taker, again after it is handed back, and never after it is acknowledged', async () => {
    const prefix = `queue${randomUUID().slice(0, 8)}`;
    const store = await KurrentDbEventStore.connect({ connectionString: connectionString!, prefix });
    const options = { prefix, durable: 'takers', category: 'workflow', eventTypes: ['Wanted'] };
    const [a, b] = await Promise.all([KurrentDbEventQueue.open(connectionString!, options), KurrentDbEventQueue.open(connectionString!, options)]);
    try {
      await store.appendToStream(`workflow-${randomUUID()}`, [newTestEvent('Skipped'), newTestEvent('Wanted', { n: 1 })], { expectedRevision: 'no_stream' });
      const first = [...(await a.take(10, 5_000)), ...(await b.take(10, 1_000))];
      expect(first.map((c) => c.events.map((e) => e.type))).toEqual([['Wanted']]);
      first[0]!.nak(0);
      const again = [...(await a.take(10, 5_000)), ...(await b.take(10, 1_000))];
      expect(again).toHaveLength(1);
      expect(again[0]!.redeliveries).toBeGreaterThan(0);
      await again[0]!.ack();
      expect([...(await a.take(10, 1_000)), ...(await b.take(10, 1_000))]).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close(), store.close()]);
    }
  });
});
