import { randomUUID } from 'node:crypto';
import { workflowStreamId } from '@topdog/contracts';
import { EventStoreUnavailableError, InMemoryEventStore, verifyChain, type EventStore } from '@topdog/event-store';
import { describe, expect, it, vi } from 'vitest';
import { applyAll, complete, deciding, handlerOn, initialize, metadata } from './command-handler.fixture';

/** The store as one instance sees it, shared with another instance that may write just before each of its appends. */
function sharedWith(store: EventStore, rivalWrites: () => Promise<void>): EventStore {
  return {
    appendToStream: async (streamId, events, options) => {
      await rivalWrites();
      return store.appendToStream(streamId, events, options);
    },
    readStream: (streamId, options) => store.readStream(streamId, options),
    subscribeToAll: (options) => store.subscribeToAll(options),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
}

/** What each stored PhaseCompleted completed, and whose answer it recorded. */
const completions = async (store: EventStore, workflowId: string) =>
  (await store.readStream(workflowStreamId(workflowId)))
    .filter((e) => e.type === 'PhaseCompleted')
    .map((e) => `${(e.data as { phase: string }).phase}: ${(e.data as { aiResponse: string }).aiResponse}`);

describe('WorkflowCommandHandler: revision conflicts', () => {
  it('decides again on the new state and appends when another instance wrote between load and append', async () => {
    const store = new InMemoryEventStore();
    const id = randomUUID();
    const rival = handlerOn(store);
    await applyAll(rival, id, [initialize(id)]);
    let rivalTurns = 1;
    const shared = sharedWith(store, async () => {
      if (rivalTurns-- > 0) await applyAll(rival, id, [complete(id, 'the rival')]);
    });
    const appends = vi.spyOn(shared, 'appendToStream');
    const handler = handlerOn(shared);
    expect(await handler.current(id)).toMatchObject({ current: 'DISCOVERY' });

    const outcome = await handler.handle(id, { metadata: metadata() }, deciding(complete(id, 'mine')));

    expect(outcome).toMatchObject({ kind: 'appended', revision: 2 });
    expect(appends).toHaveBeenCalledTimes(2);
    expect(await completions(store, id)).toEqual(['DISCOVERY: the rival', 'PLANNING: mine']);
    expect(verifyChain(await store.readStream(workflowStreamId(id))).ok).toBe(true);
  });

  it("catches its cache up with only the rival's new events, and decides again at once", async () => {
    const store = new InMemoryEventStore();
    const id = randomUUID();
    const rival = handlerOn(store);
    await applyAll(rival, id, [initialize(id), complete(id, 'the rival')]);
    const handler = handlerOn(store);
    expect(await handler.current(id)).toMatchObject({ current: 'PLANNING' }); // cached at revision 1
    await applyAll(rival, id, [complete(id, 'the rival again')]); // revision 2, which the handler has not seen
    const reads = vi.spyOn(store, 'readStream');

    const outcome = await handler.handle(id, { metadata: metadata() }, deciding(complete(id, 'mine')));

    expect(outcome).toMatchObject({ kind: 'appended', revision: 3 });
    // One read, from the revision after the cached one: not the whole stream again.
    expect(reads.mock.calls).toEqual([[workflowStreamId(id), { fromRevision: 2 }]]);
    expect(await completions(store, id)).toEqual(['DISCOVERY: the rival', 'PLANNING: the rival again', 'IMPLEMENTATION: mine']);
    expect(verifyChain(await store.readStream(workflowStreamId(id))).ok).toBe(true);
  });

  it('gives up with UNAVAILABLE (retry later) after maxAttempts when another instance always writes first', async () => {
    const store = new InMemoryEventStore();
    const id = randomUUID();
    const rival = handlerOn(store);
    await applyAll(rival, id, [initialize(id)]);
    const shared = sharedWith(store, () => applyAll(rival, id, [complete(id, 'the rival')]));
    const appends = vi.spyOn(shared, 'appendToStream');
    const handler = handlerOn(shared, { maxAttempts: 3 });

    await expect(handler.handle(id, { metadata: metadata() }, deciding(complete(id, 'mine')))).rejects.toMatchObject({
      name: 'TopDogError',
      code: 'UNAVAILABLE',
      message: expect.stringContaining('kept changing'),
    });

    expect(appends).toHaveBeenCalledTimes(3);
    expect(await completions(store, id)).toEqual(['DISCOVERY: the rival', 'PLANNING: the rival', 'IMPLEMENTATION: the rival']);
    expect(verifyChain(await store.readStream(workflowStreamId(id))).ok).toBe(true);
  });

  it('answers UNAVAILABLE when the store does not answer, and reads the stream again on the next command', async () => {
    const store = new InMemoryEventStore();
    const id = randomUUID();
    const handler = handlerOn(store);
    await applyAll(handler, id, [initialize(id)]);
    // The store stores the append but its answer is lost (a time-out): the outcome is unknown to the handler.
    let lose = true;
    const flaky: EventStore = {
      ...sharedWith(store, () => Promise.resolve()),
      appendToStream: async (streamId, events, options) => {
        const result = await store.appendToStream(streamId, events, options);
        if (lose) {
          lose = false;
          throw new EventStoreUnavailableError('append', { cause: new Error('timeout') });
        }
        return result;
      },
    };
    const onFlaky = handlerOn(flaky);
    await onFlaky.current(id);

    await expect(onFlaky.handle(id, { metadata: metadata() }, deciding(complete(id, 'lost answer')))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const next = await onFlaky.handle(id, { metadata: metadata() }, deciding(complete(id, 'next')));

    expect(next).toMatchObject({ kind: 'appended', revision: 2 });
    expect(await completions(store, id)).toEqual(['DISCOVERY: lost answer', 'PLANNING: next']);
  });
});
