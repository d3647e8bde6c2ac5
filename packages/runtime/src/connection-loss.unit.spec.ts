import type { NatsConnection, Status } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { ConnectionLoss, ConnectionLostError } from './connection-loss';

/** A connection whose status events the test pushes. */
function fakeConnection() {
  const events: Status[] = [];
  let wake: (() => void) | undefined;
  const nc = {
    status: () => ({
      async *[Symbol.asyncIterator]() {
        for (;;) {
          while (events.length > 0) yield events.shift()!;
          await new Promise<void>((r) => (wake = r));
        }
      },
    }),
  } as unknown as NatsConnection;
  return { nc, emit: (s: Partial<Status>) => (events.push(s as Status), wake?.()) };
}

describe('ConnectionLoss', () => {
  it('fails what waits when the connection drops, and lets what settled alone', async () => {
    const { nc, emit } = fakeConnection();
    const loss = ConnectionLoss.of(nc);
    expect(ConnectionLoss.of(nc)).toBe(loss);
    await expect(loss.race(Promise.resolve('answer'))).resolves.toBe('answer');
    const hanging = loss.race(new Promise(() => undefined));
    emit({ type: 'reconnect' });
    emit({ type: 'disconnect' });
    await expect(hanging).rejects.toBeInstanceOf(ConnectionLostError);
    // The next request, on the reconnected connection, is not failed by the past drop.
    await expect(loss.race(Promise.resolve('later'))).resolves.toBe('later');
    expect((loss as unknown as { waiting: Set<unknown> }).waiting.size).toBe(0);
  });
});
