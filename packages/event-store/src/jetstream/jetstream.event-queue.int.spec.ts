import { connect } from '@nats-io/transport-node';
import { startNatsServer } from '@topdog/testing';
import { describe, expect, it } from 'vitest';
import { newTestEvent as event } from '../test-event';
import { JetStreamEventQueue } from './jetstream.event-queue';
import { JetStreamEventStore } from './jetstream.event-store';

describe('JetStream event queue (durable consumer shared by takers)', () => {
  it('hands each matching commit to exactly one of several takers, skips the rest, and redelivers what is not acknowledged', async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url, noAsyncTraces: true });
    try {
      const store = await JetStreamEventStore.create(nc, { prefix: 'q' });
      const options = { prefix: 'q', durable: 'workers', category: 'job', eventTypes: ['Wanted'], ackWaitMs: 3_000 };
      await JetStreamEventQueue.ensure(nc, options); // created before the first append, as a webhook's registration does
      const takers = await Promise.all([JetStreamEventQueue.openExisting(nc, options), JetStreamEventQueue.openExisting(nc, options)]);
      for (let i = 0; i < 20; i++) {
        await store.appendToStream(`job-${i}`, [event(i % 2 ? 'Wanted' : 'Other'), event('Other')], { expectedRevision: 'no_stream' });
      }
      const seen: string[] = [];
      let unacked: { streamId: string; redeliveries: number } | undefined;
      await Promise.all(
        takers.map(async (taker) => {
          while (seen.length < 10) {
            for (const commit of await taker.take(3, 1_000)) {
              expect(commit.events.map((e) => e.type)).toEqual(['Wanted']);
              expect(commit.storedAtMs).toBeGreaterThan(Date.now() - 60_000);
              seen.push(commit.events[0]!.streamId);
              if (!unacked) unacked = { streamId: commit.events[0]!.streamId, redeliveries: commit.redeliveries };
              else await commit.ack();
            }
          }
        }),
      );
      expect(seen.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `job-${2 * i + 1}`).sort());
      // The one never acknowledged comes back after the ack wait, marked as redelivered.
      const again = await takers[0].take(1, 5_000);
      expect(again.map((c) => [c.events[0]!.streamId, c.redeliveries])).toEqual([[unacked!.streamId, 1]]);
      await again[0]!.ack();
    } finally {
      await nc.close();
    }
  });
});
