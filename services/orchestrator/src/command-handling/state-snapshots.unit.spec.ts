import { randomUUID } from 'node:crypto';
import { workflowStreamId } from '@topdog/contracts';
import type { EventStore, StreamSnapshot } from '@topdog/event-store';
import { PromptInterning } from '@topdog/prompts';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { initialState } from '../workflow/workflow.state';
import { StateSnapshots, type Loaded } from './state-snapshots';

/**
 * Snapshots over a store that takes every write (but for the first `failing`, which throw as a
 * store does when the bus is away), and a cache the test holds: what was written, by workflow and revision.
 */
function snapshotsOver(afterEvents: number, failing = 0) {
  const cache = new Map<string, Loaded>();
  const written: [string, number][] = [];
  const store = {
    saveSnapshot: async (streamId: string, snapshot: StreamSnapshot) => {
      if (failing-- > 0) throw new Error('the bus is away');
      written.push([streamId, snapshot.revision]);
      return true;
    },
  } as unknown as EventStore;
  const snapshots = new StateSnapshots({
    store,
    logger: pino({ level: 'silent' }),
    held: (id) => cache.get(id),
    prompts: new PromptInterning(),
    known: new Map(),
    everyMs: 0,
    afterEvents,
  });
  return { cache, written, snapshots };
}

const at = (revision: number): Loaded => ({ state: initialState(), revision, position: revision + 1, lastHash: null });

describe('StateSnapshots', () => {
  it('writes what the cache holds of a workflow read back and changed before the write of its eviction, not the evicted state', async () => {
    const { cache, written, snapshots } = snapshotsOver(1_000);
    const id = randomUUID();
    cache.set(id, at(1));
    snapshots.markChanged(id, 2);
    cache.delete(id);
    snapshots.evicted(id, at(1));
    cache.set(id, at(3)); // read back, and changed, in the same turn
    snapshots.markChanged(id, 2);

    await snapshots.close();

    expect(written).toEqual([[workflowStreamId(id), 3]]);
  });

  it('writes an evicted workflow once, soon after, and nothing more when closed twice', async () => {
    const { written, snapshots } = snapshotsOver(1_000);
    const id = randomUUID();
    snapshots.markChanged(id, 1);
    snapshots.evicted(id, at(0));
    await new Promise((r) => setImmediate(r));
    await snapshots.flush();

    await snapshots.close();
    await snapshots.close();

    expect(written).toEqual([[workflowStreamId(id), 0]]);
  });

  it('writes at the next flush a workflow whose write the store could not take, held or evicted', async () => {
    const { cache, written, snapshots } = snapshotsOver(1, 2);
    const [held, evicted] = [randomUUID(), randomUUID()];
    cache.set(held, at(4));
    snapshots.markChanged(held, 1);
    snapshots.markChanged(evicted, 1);
    snapshots.evicted(evicted, at(2));
    await snapshots.flush();
    expect(written).toEqual([]);

    await snapshots.flush();

    expect(written.sort()).toEqual(
      [
        [workflowStreamId(held), 4],
        [workflowStreamId(evicted), 2],
      ].sort(),
    );
  });
});
