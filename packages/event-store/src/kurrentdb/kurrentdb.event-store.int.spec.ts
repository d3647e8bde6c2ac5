import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { eventStoreContract } from '../event-store.contract';
import { KurrentDbEventStore } from './kurrentdb.event-store';

/**
 * The KurrentDB adapter against a real KurrentDB server, when KURRENTDB_CONNECTION_STRING names
 * one (`kurrentdb://127.0.0.1:2113?tls=false`). None can run on the machines this project is
 * built on: then these tests are skipped, and say so.
 */
const connectionString = process.env.KURRENTDB_CONNECTION_STRING;
if (!connectionString) {
  console.warn('SKIPPED: the KurrentDB event store contract tests: set KURRENTDB_CONNECTION_STRING to a KurrentDB server to run them');
}

describe.skipIf(!connectionString)('KurrentDB adapter', () => {
  eventStoreContract(
    'KurrentDB',
    async () => {
      const store = await KurrentDbEventStore.connect({ connectionString: connectionString!, prefix: `contract${randomUUID().slice(0, 8)}` });
      return { store, appendLimitBytes: 1024 * 1024, dispose: () => store.close() };
    },
    { snapshots: false },
  );
});
