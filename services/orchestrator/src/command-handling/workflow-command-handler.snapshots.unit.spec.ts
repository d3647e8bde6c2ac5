import { randomUUID } from 'node:crypto';
import { workflowStreamId } from '@topdog/contracts';
import { EventStoreUnavailableError, InMemoryEventStore, verifyChain, type EventStore } from '@topdog/event-store';
import { describe, expect, it, vi } from 'vitest';
import type { WorkflowDecision } from '../workflow/workflow.decide';
import { initializeDecision } from '../workflow/workflow.fixture';
import { applyAll, complete, deciding, handlerOn, initialize, metadata } from './command-handler.fixture';
import { STATE_SNAPSHOT_VERSION } from './state-snapshot';

/** What each stored PhaseCompleted completed, and whose answer it recorded. */
const completions = async (store: EventStore, workflowId: string) =>
  (await store.readStream(workflowStreamId(workflowId)))
    .filter((e) => e.type === 'PhaseCompleted')
    .map((e) => `${(e.data as { phase: string }).phase}: ${(e.data as { aiResponse: string }).aiResponse}`);

const chainHolds = async (store: EventStore, workflowId: string) => verifyChain(await store.readStream(workflowStreamId(workflowId))).ok;

const gatedAt = (workflowId: string) =>
  ({ type: 'InitializeWorkflow', data: initializeDecision({ workflowId, approvalRequired: ['PLANNING'] }).data }) as WorkflowDecision;
const approve = (workflowId: string): WorkflowDecision => ({
  type: 'ApprovePhase',
  data: { workflowId, comment: null, nextCallId: randomUUID(), projects: ['*'] },
});

/** A workflow one instance started and moved on, its snapshot written; and a second instance, which holds none of it. */
async function snapshotted(commands: (id: string) => WorkflowDecision[]) {
  const store = new InMemoryEventStore();
  const id = randomUUID();
  const first = handlerOn(store);
  await applyAll(first, id, commands(id));
  await first.flushSnapshots();
  return { store, id, first, second: handlerOn(store) };
}

describe('WorkflowCommandHandler: snapshots', () => {
  it('decides a command on a workflow it does not hold from its snapshot, reading none of its events', async () => {
    const { store, id, second } = await snapshotted((id) => [initializeDecision({ workflowId: id }), complete(id, 'first')]);
    expect((await store.readSnapshot(workflowStreamId(id)))?.revision).toBe(1);
    const reads = vi.spyOn(store, 'readStream');

    const outcome = await second.handle(id, { metadata: metadata() }, deciding(complete(id, 'second')));

    expect(outcome).toMatchObject({ kind: 'appended', revision: 2 });
    expect(reads).not.toHaveBeenCalled();
    reads.mockRestore();
    expect(await completions(store, id)).toEqual(['DISCOVERY: first', 'PLANNING: second']);
    expect(await chainHolds(store, id)).toBe(true);
    expect(await second.current(id)).toMatchObject({ current: 'IMPLEMENTATION' });
  });

  it('folds onto a snapshot the workflow has moved past only the events after it, read with the snapshot', async () => {
    const { store, id, first, second } = await snapshotted((id) => [initializeDecision({ workflowId: id })]);
    await applyAll(first, id, [complete(id, 'after the snapshot')]); // not written as a snapshot yet
    const reads = vi.spyOn(store, 'readStream');

    const outcome = await second.handle(id, { metadata: metadata() }, deciding(complete(id, 'mine')));

    expect(outcome).toMatchObject({ kind: 'appended', revision: 2 });
    expect(reads).not.toHaveBeenCalled();
    reads.mockRestore();
    expect(await completions(store, id)).toEqual(['DISCOVERY: after the snapshot', 'PLANNING: mine']);
    expect(await chainHolds(store, id)).toBe(true);
  });

  it('decides on the snapshot brought up to the stream: a command its snapshot alone would refuse is applied', async () => {
    const { store, id, first, second } = await snapshotted((id) => [gatedAt(id)]);
    await applyAll(first, id, [complete(id, 'needs'), complete(id, 'plan')]); // PLANNING now awaits approval

    const outcome = await second.handle(id, { metadata: metadata() }, deciding(approve(id)));

    expect(outcome).toMatchObject({ kind: 'appended' });
    expect(await second.current(id)).toMatchObject({ current: 'IMPLEMENTATION', awaiting: null });
    expect(await chainHolds(store, id)).toBe(true);
    await expect(second.handle(id, { metadata: metadata() }, deciding(approve(id)))).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('answers a retried command from its snapshot with the outcome recorded, writing nothing', async () => {
    const store = new InMemoryEventStore();
    const id = randomUUID();
    const first = handlerOn(store);
    await applyAll(first, id, [initializeDecision({ workflowId: id })]);
    const keyed = { metadata: metadata({ idempotencyKey: 'key-1', requestHash: 'h1' }) };
    const applied = await first.handle(id, keyed, deciding(complete(id)));
    await first.flushSnapshots();

    const retried = await handlerOn(store).handle(id, keyed, deciding(complete(id)));

    expect(retried).toMatchObject({ kind: 'replayed', revision: (applied as { revision: number }).revision });
    expect(await completions(store, id)).toEqual(['DISCOVERY: answer']);
  });

  it.each([
    ['of another version', (encoded: Record<string, unknown>) => ({ ...encoded, v: STATE_SNAPSHOT_VERSION + 1 })],
    [
      'not taken at the event the stream holds at its revision (another hash)',
      (encoded: Record<string, unknown>) => ({ ...encoded, lastHash: 'f'.repeat(64) }),
    ],
    ['not a snapshot at all', () => 'not json'],
    // Its version let through, but not a state this code can decide on (a version left unbumped).
    [
      'of a state this code cannot decide on',
      (encoded: Record<string, unknown>) => ({ ...encoded, state: { ...(encoded.state as object), settings: undefined } }),
    ],
  ])('folds the events where the snapshot is %s', async (_, change) => {
    const { store, id, second } = await snapshotted((id) => [initializeDecision({ workflowId: id }), complete(id, 'first')]);
    const kept = (await store.readSnapshot(workflowStreamId(id)))!;
    const changed = change(JSON.parse(new TextDecoder().decode(kept.data)) as Record<string, unknown>);
    const data = new TextEncoder().encode(typeof changed === 'string' ? changed : JSON.stringify(changed));
    expect(await store.saveSnapshot(workflowStreamId(id), { revision: kept.revision, data })).toBe(true);
    const reads = vi.spyOn(store, 'readStream');

    await second.handle(id, { metadata: metadata() }, deciding(complete(id, 'second')));

    expect(reads.mock.calls.map(([, options]) => options?.fromRevision)).toEqual([0]);
    reads.mockRestore();
    expect(await completions(store, id)).toEqual(['DISCOVERY: first', 'PLANNING: second']);
    expect(await chainHolds(store, id)).toBe(true);
  });

  it('writes a changed workflow once per flush, and soon after its cache lets go of it', async () => {
    const store = new InMemoryEventStore();
    const saves = vi.spyOn(store, 'saveSnapshot');
    const handler = handlerOn(store, { cacheSize: 1 });
    const [a, b] = [randomUUID(), randomUUID()];
    await applyAll(handler, a, [initializeDecision({ workflowId: a }), complete(a)]);
    expect(saves).not.toHaveBeenCalled();
    await applyAll(handler, b, [initializeDecision({ workflowId: b })]); // a is evicted
    await vi.waitFor(() => expect(saves.mock.calls.map(([streamId, s]) => [streamId, s.revision])).toEqual([[workflowStreamId(a), 1]]));
    await handler.flushSnapshots();
    await handler.flushSnapshots();
    expect(saves.mock.calls.map(([streamId]) => streamId)).toEqual([workflowStreamId(a), workflowStreamId(b)]);
    expect((await store.readSnapshot(workflowStreamId(a)))?.revision).toBe(1);
  });

  it('writes on its timer, and what changed since when closed', async () => {
    const store = new InMemoryEventStore();
    const id = randomUUID();
    const handler = handlerOn(store, { snapshotEveryMs: 5 });
    await applyAll(handler, id, [initializeDecision({ workflowId: id })]);
    await vi.waitFor(async () => expect((await store.readSnapshot(workflowStreamId(id)))?.revision).toBe(0));
    await applyAll(handler, id, [complete(id)]);
    await handler.close();
    expect((await store.readSnapshot(workflowStreamId(id)))?.revision).toBe(1);
  });

  describe('when a snapshot is due', () => {
    /** How many events the commands store on a workflow of their own. */
    const eventsOf = async (commands: (id: string) => WorkflowDecision[]) => {
      const store = new InMemoryEventStore();
      const id = randomUUID();
      await applyAll(handlerOn(store), id, commands(id));
      return (await store.readStream(workflowStreamId(id))).length;
    };
    const keptRevision = async (store: EventStore, id: string) => (await store.readSnapshot!(workflowStreamId(id)))?.revision;
    const lastRevision = async (store: EventStore, id: string) => (await store.readStream(workflowStreamId(id))).at(-1)!.revision;

    it('writes a workflow at a flush once it is snapshotAfterEvents events past its last snapshot, counting events, not commands', async () => {
      const started = await eventsOf((id) => [initialize(id, { autoAdvance: true })]);
      expect(started).toBeGreaterThan(1); // one command, several events
      const store = new InMemoryEventStore();
      const [many, one] = [randomUUID(), randomUUID()];
      const handler = handlerOn(store, { snapshotAfterEvents: started });

      await applyAll(handler, many, [initialize(many, { autoAdvance: true })]);
      await applyAll(handler, one, [initialize(one)]);
      await handler.flushSnapshots();

      expect(await keptRevision(store, many)).toBe(await lastRevision(store, many));
      expect(await keptRevision(store, one)).toBeUndefined();
      await handler.close(); // and every workflow changed since its last when it stops
      expect(await keptRevision(store, one)).toBe(await lastRevision(store, one));
    });

    it('counts the events a command folded onto an older snapshot, and none for one at the tip', async () => {
      const perCompletion = (await eventsOf((id) => [initialize(id), complete(id)])) - (await eventsOf((id) => [initialize(id)]));
      const behind = await snapshotted((id) => [initializeDecision({ workflowId: id })]);
      await applyAll(behind.first, behind.id, [complete(behind.id, 'after the snapshot')]);
      const atTip = await snapshotted((id) => [initializeDecision({ workflowId: id })]);
      const at = await keptRevision(atTip.store, atTip.id);
      // Its own command alone does not make the snapshot due; with the events it folded, it does.
      const due = perCompletion + 1;

      for (const { store, id } of [behind, atTip]) {
        const second = handlerOn(store, { snapshotAfterEvents: due });
        await second.handle(id, { metadata: metadata() }, deciding(complete(id, 'mine')));
        await second.flushSnapshots();
      }

      expect(await keptRevision(behind.store, behind.id)).toBe(await lastRevision(behind.store, behind.id));
      expect(await keptRevision(atTip.store, atTip.id)).toBe(at);
    });

    it('writes a snapshot it could not use again at the next flush, however few events', async () => {
      const { store, id } = await snapshotted((id) => [initializeDecision({ workflowId: id }), complete(id, 'first')]);
      const kept = (await store.readSnapshot(workflowStreamId(id)))!;
      await store.saveSnapshot(workflowStreamId(id), { revision: kept.revision, data: new TextEncoder().encode('not json') });
      const second = handlerOn(store, { snapshotAfterEvents: 1_000 });

      await second.handle(id, { metadata: metadata() }, deciding(complete(id, 'second')));
      await second.flushSnapshots();

      const rewritten = (await store.readSnapshot(workflowStreamId(id)))!;
      expect(rewritten.revision).toBe(await lastRevision(store, id));
      expect(new TextDecoder().decode(rewritten.data)).not.toBe('not json');
    });

    it('writes a changed workflow the cache lets go of, however few events past its snapshot', async () => {
      const store = new InMemoryEventStore();
      const handler = handlerOn(store, { cacheSize: 1, snapshotAfterEvents: 1_000 });
      const [a, b] = [randomUUID(), randomUUID()];
      await applyAll(handler, a, [initializeDecision({ workflowId: a })]);
      await applyAll(handler, b, [initializeDecision({ workflowId: b })]); // a is evicted
      await handler.flushSnapshots();

      expect(await keptRevision(store, a)).toBe(await lastRevision(store, a));
      expect(await keptRevision(store, b)).toBeUndefined();
    });

    it('writes nothing of a workflow whose last append is in doubt', async () => {
      const store = new InMemoryEventStore();
      const id = randomUUID();
      const handler = handlerOn(store); // every change due
      await applyAll(handler, id, [initializeDecision({ workflowId: id })]);
      const append = store.appendToStream.bind(store);
      vi.spyOn(store, 'appendToStream').mockImplementationOnce(async (...args) => {
        await append(...args);
        throw new EventStoreUnavailableError('append: no acknowledgement');
      });
      await expect(handler.handle(id, { metadata: metadata() }, deciding(complete(id)))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      const saves = vi.spyOn(store, 'saveSnapshot');

      await handler.flushSnapshots();
      await handler.close();

      expect(saves).not.toHaveBeenCalled();
    });

    it('waits, when closed, for a command under way and writes the workflow as it left it; it refuses commands after that', async () => {
      const store = new InMemoryEventStore();
      const id = randomUUID();
      const handler = handlerOn(store, { snapshotAfterEvents: 1_000 });
      await applyAll(handler, id, [initializeDecision({ workflowId: id })]);
      const append = store.appendToStream.bind(store);
      vi.spyOn(store, 'appendToStream').mockImplementationOnce(async (...args) => {
        await new Promise((r) => setTimeout(r, 20));
        return append(...args);
      });
      const underWay = handler.handle(id, { metadata: metadata() }, deciding(complete(id)));

      await handler.close();

      expect(await lastRevision(store, id)).toBe(1);
      expect(await keptRevision(store, id)).toBe(1);
      await expect(underWay).resolves.toMatchObject({ kind: 'appended', revision: 1 });
      await expect(handler.handle(id, { metadata: metadata() }, deciding(complete(id, 'too late')))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      expect(await lastRevision(store, id)).toBe(1);
    });
  });
});
