import type { ConsumerMessages, ConsumerNotification } from '@nats-io/jetstream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SubscriptionStalledError } from '../event-store';
import { ConsumerLiveness } from './consumer-liveness';

/** The part of nats.js's ConsumerMessages the watch uses: its notifications, and stop(err). */
function fakeMessages() {
  const pending: ConsumerNotification[] = [];
  let wake: (() => void) | undefined;
  let stopped = false;
  const stop = vi.fn(() => {
    stopped = true;
    wake?.();
  });
  const messages = {
    stop,
    async *status(): AsyncGenerator<ConsumerNotification> {
      while (!stopped) {
        const next = pending.shift();
        if (next) yield next;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
  const notify = (n: ConsumerNotification) => {
    pending.push(n);
    wake?.();
  };
  return { messages: messages as unknown as ConsumerMessages, stop, notify };
}

const heartbeat: ConsumerNotification = { type: 'heartbeat', lastConsumerSequence: 0, lastStreamSequence: 0 };

describe('ConsumerLiveness', () => {
  let liveness: ConsumerLiveness | undefined;
  afterEach(() => {
    liveness?.stop();
    vi.useRealTimers();
  });

  it('stops the messages with SubscriptionStalledError after three heartbeat intervals of silence while the subscriber waits', () => {
    vi.useFakeTimers();
    const { messages, stop } = fakeMessages();
    liveness = new ConsumerLiveness(messages, 1_000);
    liveness.waiting();
    vi.advanceTimersByTime(2_000);
    expect(stop).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_000);
    expect(stop).toHaveBeenCalledWith(expect.any(SubscriptionStalledError));
    expect((stop.mock.calls[0] as unknown as [SubscriptionStalledError])[0].silentForMs).toBe(3_000);
  });

  it("keeps a waiting subscription that hears the server's heartbeats", async () => {
    vi.useFakeTimers();
    const { messages, stop, notify } = fakeMessages();
    liveness = new ConsumerLiveness(messages, 1_000);
    liveness.waiting();
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(1_000);
      notify(heartbeat);
    }
    expect(stop).not.toHaveBeenCalled();
  });

  it('does not count the time the subscriber spends on a message', () => {
    vi.useFakeTimers();
    const { messages, stop } = fakeMessages();
    liveness = new ConsumerLiveness(messages, 1_000);
    liveness.received();
    vi.advanceTimersByTime(60_000);
    expect(stop).not.toHaveBeenCalled();
    liveness.waiting();
    vi.advanceTimersByTime(3_000);
    expect(stop).toHaveBeenCalledOnce();
  });
});
