import { connect } from '@nats-io/transport-node';
import { startNatsServer } from '@topdog/testing';
import { describe, expect, it } from 'vitest';
import { eventStoreContract } from '../event-store.contract';
import { WrongExpectedRevisionError } from '../event-store';
import { newTestEvent } from '../test-event';
import { JetStreamEventStore } from './jetstream.event-store';

eventStoreContract('JetStream (nats-server)', async () => {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url, noAsyncTraces: true });
  const store = await JetStreamEventStore.create(nc, { prefix: 'contract' });
  return {
    store,
    async dispose() {
      await store.close();
      await nc.close();
      await server.dispose();
    },
  };
});

describe('JetStream event store specifics', () => {
  it('keeps a multi-event append in one message and refuses one over the size limit', async () => {
    await using server = await startNatsServer({ maxPayload: 64 * 1024 });
    const nc = await connect({ servers: server.url });
    try {
      const store = await JetStreamEventStore.create(nc, { prefix: 'big' });
      const event = (size: number) => newTestEvent('Big', { text: 'x'.repeat(size) });
      await expect(store.appendToStream('big-1', [event(10), event(70 * 1024)], { expectedRevision: 'no_stream' })).rejects.toThrow(
        /over the .*message limit/,
      );
      expect(await store.readStream('big-1')).toEqual([]);
      await store.appendToStream('big-1', [event(10), event(10)], { expectedRevision: 'no_stream' });
      expect(await store.readStream('big-1')).toHaveLength(2);
    } finally {
      await nc.close();
    }
  });

  it('detects a stale writer whose cached tip is behind another instance', async () => {
    await using server = await startNatsServer();
    const nc1 = await connect({ servers: server.url });
    const nc2 = await connect({ servers: server.url });
    try {
      const a = await JetStreamEventStore.create(nc1, { prefix: 'two' });
      const b = await JetStreamEventStore.create(nc2, { prefix: 'two' });
      const e = () => newTestEvent('E');
      await a.appendToStream('wf-1', [e()], { expectedRevision: 'no_stream' });
      await b.readStream('wf-1');
      await a.appendToStream('wf-1', [e()], { expectedRevision: 0 });
      await expect(b.appendToStream('wf-1', [e()], { expectedRevision: 0 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await b.appendToStream('wf-1', [e()], { expectedRevision: 1 });
      expect((await a.readStream('wf-1')).map((x) => x.revision)).toEqual([0, 1, 2]);
    } finally {
      await nc1.close();
      await nc2.close();
    }
  });
});
