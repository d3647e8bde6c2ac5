import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { startNatsServer } from './nats-server';

// patches/@nats-io__nats-core@3.4.0.patch: the client gathers what one turn of the event loop
// sends into one socket write, flushed after the turn (setImmediate) rather than after each
// callback; close() flushes first, so nothing published before it is lost.
describe('the patched NATS client', () => {
  it('delivers what was published just before close, and what a burst sent, in order', async () => {
    await using server = await startNatsServer();
    const receiver = await connect({ servers: server.url });
    try {
      const received: string[] = [];
      const sub = receiver.subscribe('patch.check', { callback: (_err, msg) => void received.push(msg.string()) });
      await receiver.flush();

      const sender = await connect({ servers: server.url });
      for (let i = 0; i < 100; i++) sender.publish('patch.check', `burst ${i}`);
      sender.publish('patch.check', 'last');
      await sender.close();

      await expect.poll(() => received.length).toBe(101);
      expect(received).toEqual([...Array.from({ length: 100 }, (_, i) => `burst ${i}`), 'last']);
      sub.unsubscribe();
    } finally {
      await receiver.close();
    }
  });

  it('answers a request sent from inside a setImmediate callback', async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    try {
      nc.subscribe('patch.echo', { callback: (_err, msg) => void msg.respond(msg.data) });
      const answer = await new Promise<string>((resolve, reject) =>
        setImmediate(() => void nc.request('patch.echo', 'ping', { timeout: 2_000 }).then((m) => resolve(m.string()), reject)),
      );
      expect(answer).toBe('ping');
    } finally {
      await nc.close();
    }
  });
});
