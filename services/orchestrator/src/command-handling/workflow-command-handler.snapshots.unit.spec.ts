import { randomUUID } from 'node:crypto';
import { workflowStreamId } from '@topdog/contracts';
import { InMemoryEventStore, verifyChain, type EventStore } from '@topdog/event-store';
import { describe, expect, it, vi } from 'vitest';
import type { WorkflowDecision } from '../workflow/workflow.decide';
import { initializeDecision } from '../workflow/workflow.fixture';
import { applyAll, complete, deciding, handlerOn, metadata } from './command-handler.fixture';
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

  it('writes a changed workflow once per flush, and at once when its cache lets go of it', async () => {
    const store = new InMemoryEventStore();
    const saves = vi.spyOn(store, 'saveSnapshot');
    const handler = handlerOn(store, { cacheSize: 1 });
    const [a, b] = [randomUUID(), randomUUID()];
    await applyAll(handler, a, [initializeDecision({ workflowId: a }), complete(a)]);
    expect(saves).not.toHaveBeenCalled();
    await applyAll(handler, b, [initializeDecision({ workflowId: b })]); // a is evicted
    expect(saves.mock.calls.map(([streamId, s]) => [streamId, s.revision])).toEqual([[workflowStreamId(a), 1]]);
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

    it('writes a workflow at a flush once it is snapshotAfterEvents events past its last snapshot, and what is left when closed', async () => {
      const initialized = await eventsOf((id) => [initializeDecision({ workflowId: id })]);
      const store = new InMemoryEventStore();
      const id = randomUUID();
      const handler = handlerOn(store, { snapshotAfterEvents: initialized + 1 });

      await applyAll(handler, id, [initializeDecision({ workflowId: id })]);
      await handler.flushSnapshots();
      expect(await keptRevision(store, id)).toBeUndefined();

      await applyAll(handler, id, [complete(id)]);
      await handler.flushSnapshots();
      const first = await lastRevision(store, id);
      expect(await keptRevision(store, id)).toBe(first);

      await applyAll(handler, id, [complete(id, 'one more')]);
      await handler.close();
      expect(await keptRevision(store, id)).toBe(await lastRevision(store, id));
      expect(await keptRevision(store, id)).toBeGreaterThan(first);
    });

    it('counts the events a command folded onto an older snapshot', async () => {
      const completed = await eventsOf((id) => [initializeDecision({ workflowId: id }), complete(id)]);
      const initialized = await eventsOf((id) => [initializeDecision({ workflowId: id })]);
      const perCompletion = completed - initialized;
      const { store, id, first } = await snapshotted((id) => [initializeDecision({ workflowId: id })]);
      await applyAll(first, id, [complete(id, 'after the snapshot')]);
      // Its own command alone would not make the snapshot due; with the events it folded, it does.
      const second = handlerOn(store, { snapshotAfterEvents: perCompletion + 1 });

      await second.handle(id, { metadata: metadata() }, deciding(complete(id, 'mine')));
      await second.flushSnapshots();

      expect(await keptRevision(store, id)).toBe(await lastRevision(store, id));
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
      await handler.close();
      expect(await keptRevision(store, b)).toBe(await lastRevision(store, b));
    });
  });
});
