import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@nats-io/transport-node';
import { startNatsServer } from '@topdog/testing';
import { describe, expect, it } from 'vitest';
import { SubscriptionStalledError, type StoredEvent } from '../event-store';
import { newTestEvent } from '../test-event';
import { JetStreamEventStore } from './jetstream.event-store';

/** Tries `append` until JetStream answers again after a restart (the same event: a retry is de-duplicated). */
async function appendWhenBack(append: () => Promise<unknown>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await append();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(100);
    }
  }
}

describe('a JetStream subscription across a nats-server SIGKILL', () => {
  it('delivers what is appended once the server is back, or ends with SubscriptionStalledError: it never waits in silence', async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url, noAsyncTraces: true, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    try {
      const store = await JetStreamEventStore.create(nc, { prefix: 'kill', idleHeartbeatMs: 500 });
      await store.appendToStream('kill-1', [newTestEvent('A')], { expectedRevision: 'no_stream' });
      const iterator = store.subscribeToAll({ filter: { category: 'kill' } })[Symbol.asyncIterator]();
      expect((await iterator.next()).value).toMatchObject({ type: 'A' });
      // Waiting for the next event when the server dies.
      const next = iterator.next().then(
        (r) => r.value as StoredEvent | undefined,
        (err: unknown) => err,
      );

      await server.stop('SIGKILL');
      await sleep(1_000);
      await server.start();
      const b = newTestEvent('B');
      await appendWhenBack(() => store.appendToStream('kill-1', [b], { expectedRevision: 'any' }), 10_000);

      const outcome = await Promise.race([next, sleep(5_000).then(() => 'silent' as const)]);
      if (outcome instanceof SubscriptionStalledError) expect(outcome.silentForMs).toBeGreaterThanOrEqual(1_500);
      else expect(outcome).toMatchObject({ type: 'B' });
      await iterator.return?.(undefined);
    } finally {
      await nc.close();
    }
  });
});
