import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CaughtUpState } from './caught-up-state';
import { FlushScheduler } from './flush-scheduler';

/** A read-model store whose first `failures` flushes fail, as KV does while it is unreachable. */
function storeFailing(failures: number) {
  const store = {
    pending: 10,
    flushes: 0,
    needsFlush: () => store.pending > 0,
    flush: async () => {
      store.flushes++;
      if (store.flushes <= failures) throw new Error('KV unreachable');
      store.pending = 0;
    },
  };
  return store;
}

const scheduler = (store: ReturnType<typeof storeFailing>) =>
  new FlushScheduler({ store, logger: pino({ level: 'silent' }), position: () => 5, catchingUp: () => false, maxPendingWrites: 10 });

describe('FlushScheduler', () => {
  it('has nothing to wait for while the pending writes are under the limit', () => {
    const store = storeFailing(0);
    store.pending = 9;
    expect(scheduler(store).whenFull()).toBeUndefined();
  });

  it('holds the apply loop until the writes are stored, flushing again while KV refuses them', async () => {
    const store = storeFailing(2);
    await scheduler(store).whenFull();
    expect(store.flushes).toBe(3);
    expect(store.pending).toBe(0);
  });

  it('lets go when the projection stops, even with KV still down', async () => {
    const store = storeFailing(Number.POSITIVE_INFINITY);
    const stopping = new AbortController();
    const waiting = scheduler(store).whenFull(stopping.signal);
    setTimeout(() => stopping.abort(), 50);
    await waiting;
    expect(store.pending).toBe(10);
  });
});

describe('CaughtUpState', () => {
  it('says at once that it is no longer caught up when a rebuild suspends it, and again once the run has applied its target', () => {
    const heard: boolean[] = [];
    const state = new CaughtUpState((caughtUp) => heard.push(caughtUp));
    state.begin(10, 10);
    state.suspend();
    state.begin(10, 0);
    state.applied(10);
    expect(heard).toEqual([true, false, true]);
  });
});
