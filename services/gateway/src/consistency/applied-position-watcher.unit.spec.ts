import type { NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { AppliedPositionWatcher } from './applied-position-watcher';

function watcher(livenessMs = 3_000) {
  let clock = 0;
  const w = new AppliedPositionWatcher({} as NatsConnection, 'test', livenessMs, () => clock);
  return { w, advance: (ms: number) => (clock += ms) };
}

describe('AppliedPositionWatcher', () => {
  it('releases a command once every live, caught-up projector has applied its position', async () => {
    const { w } = watcher();
    w.heard({ instanceId: 'a', position: 5_000, caughtUp: true });
    w.heard({ instanceId: 'b', position: 4_000, caughtUp: true });
    let released: boolean | undefined;
    const waiting = w.waitFor(5_000, 1_000).then((ok) => (released = ok));
    await Promise.resolve();
    expect(released).toBeUndefined();
    w.heard({ instanceId: 'b', position: 5_000, caughtUp: true });
    await waiting;
    expect(released).toBe(true);
  });

  it('stops waiting for an instance as soon as it says it is not caught up (a stalled one)', async () => {
    const { w } = watcher();
    w.heard({ instanceId: 'healthy', position: 9_000, caughtUp: true });
    w.heard({ instanceId: 'stalled', position: 3_000, caughtUp: true });
    const waiting = w.waitFor(9_000, 5_000);
    w.heard({ instanceId: 'stalled', position: 3_000, caughtUp: false });
    expect(await waiting).toBe(true);
    expect(w.appliedByAll()).toBe(9_000);
  });

  it('forgets an instance not heard from within the liveness window', () => {
    const { w, advance } = watcher(3_000);
    w.heard({ instanceId: 'gone', position: 1_000, caughtUp: true });
    advance(2_000);
    w.heard({ instanceId: 'here', position: 7_000, caughtUp: true });
    expect(w.appliedByAll()).toBe(1_000);
    advance(1_500);
    expect(w.appliedByAll()).toBe(7_000);
  });

  it('with no caught-up instance, waits up to the timeout, or until one has applied the position', async () => {
    const { w } = watcher();
    w.heard({ instanceId: 'a', position: 2_000, caughtUp: false });
    expect(w.appliedByAll()).toBeUndefined();
    expect(await w.waitFor(1_000, 20)).toBe(false);
    const waiting = w.waitFor(3_000, 5_000);
    w.heard({ instanceId: 'a', position: 3_000, caughtUp: true });
    expect(await waiting).toBe(true);
  });
});
