import { randomUUID } from 'node:crypto';
import { PHASES, WORKFLOW_EVENT_SCHEMA_VERSION, workflowStreamId } from '@topdog/contracts';
import { InMemoryEventStore, verifyChain } from '@topdog/event-store';
import { describe, expect, it, vi } from 'vitest';
import type { WorkflowDecision } from '../workflow/workflow.decide';
import { applyAll, complete, deciding, handlerOn, initialize, metadata } from './command-handler.fixture';

const newWorkflow = () => {
  const id = randomUUID();
  return { id, streamId: workflowStreamId(id) };
};

describe('WorkflowCommandHandler: load, decide, append', () => {
  it('loads a workflow by folding its stored stream, then works from its cached state', async () => {
    const store = new InMemoryEventStore();
    const { id } = newWorkflow();
    await applyAll(handlerOn(store), id, [initialize(id), complete(id)]); // another instance wrote these
    const reads = vi.spyOn(store, 'readStream');
    const handler = handlerOn(store);
    expect(await handler.current(id)).toMatchObject({ status: 'active', current: 'PLANNING', phases: [{ phase: 'DISCOVERY', aiResponse: 'answer' }] });
    await handler.handle(id, { metadata: metadata() }, deciding(complete(id)));
    expect(await handler.current(id)).toMatchObject({ current: 'IMPLEMENTATION' });
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('announces a warm-up before reading a workflow it does not hold for a command, and none for one it holds or creates', async () => {
    const store = new InMemoryEventStore();
    const { id } = newWorkflow();
    const warmUp = vi.fn();
    const reads = vi.spyOn(store, 'readStream');
    await handlerOn(store, { warmUp }).handle(id, { metadata: metadata(), creates: true }, deciding(initialize(id)));
    expect(warmUp).not.toHaveBeenCalled();

    // Another instance, which holds none of it: announced once, before its read of the stream.
    reads.mockClear();
    const order: string[] = [];
    warmUp.mockImplementation(() => order.push('warm-up'));
    reads.mockImplementation(async (...args) => (order.push('read'), InMemoryEventStore.prototype.readStream.apply(store, args)));
    const other = handlerOn(store, { warmUp });
    await other.handle(id, { metadata: metadata() }, deciding(complete(id)));
    expect(warmUp.mock.calls).toEqual([[id]]);
    expect(order).toEqual(['warm-up', 'read']);
    // Now held: none.
    await other.handle(id, { metadata: metadata() }, deciding(complete(id)));
    expect(warmUp).toHaveBeenCalledTimes(1);
  });

  it('appends what the decider decided, with the envelope from the metadata, and answers the stored revision and position', async () => {
    const store = new InMemoryEventStore();
    const { id, streamId } = newWorkflow();
    const handler = handlerOn(store);
    const outcome = await handler.handle(
      id,
      { metadata: metadata({ correlationId: 'corr-9', actor: 'alice' }) },
      deciding(initialize(id, { autoAdvance: true })),
    );
    if (outcome.kind !== 'appended') throw new Error(`expected an append, got ${outcome.kind}`);
    expect(outcome.decided.map((e) => e.type)).toEqual(['WorkflowInitialized', 'LlmCallRequested']);
    const stored = await store.readStream(streamId);
    expect(stored.map((e) => e.type)).toEqual(['WorkflowInitialized', 'LlmCallRequested']);
    expect(stored[0]).toMatchObject({
      streamId,
      revision: 0,
      correlationId: 'corr-9',
      causationId: null,
      actor: 'alice',
      occurredAt: '2026-12-01T00:00:00.000Z',
      schemaVersion: WORKFLOW_EVENT_SCHEMA_VERSION,
    });
    expect(outcome).toMatchObject({ revision: 1, position: await store.headPosition() });
  });

  it('writes nothing when the decider decides nothing or refuses', async () => {
    const store = new InMemoryEventStore();
    const { id, streamId } = newWorkflow();
    const handler = handlerOn(store);
    await expect(handler.handle(id, { metadata: metadata() }, deciding(complete(id)))).rejects.toMatchObject({ name: 'TopDogError', code: 'NOT_FOUND' });
    expect(await store.readStream(streamId)).toEqual([]);
    await applyAll(handler, id, [initialize(id)]);
    const position = await store.headPosition();
    expect(await handler.handle(id, { metadata: metadata() }, () => [])).toEqual({ kind: 'unchanged', revision: 0, position });
    expect(await store.readStream(streamId)).toHaveLength(1);
  });

  it('refuses a stale If-Match revision with PRECONDITION_FAILED', async () => {
    const store = new InMemoryEventStore();
    const { id } = newWorkflow();
    const handler = handlerOn(store);
    await applyAll(handler, id, [initialize(id)]);
    await expect(handler.handle(id, { metadata: metadata(), expectedRevision: 5 }, deciding(complete(id)))).rejects.toMatchObject({
      name: 'TopDogError',
      code: 'PRECONDITION_FAILED',
      details: [{ field: 'If-Match', reason: 'the current ETag is "0"' }],
    });
    expect(await handler.handle(id, { metadata: metadata(), expectedRevision: 0 }, deciding(complete(id)))).toMatchObject({ kind: 'appended', revision: 1 });
  });

  it("turns an append over the store's size limit into PAYLOAD_TOO_LARGE, writing nothing", async () => {
    const store = new InMemoryEventStore({ maxAppendBytes: 8192 });
    const { id, streamId } = newWorkflow();
    const handler = handlerOn(store);
    await applyAll(handler, id, [initialize(id)]);
    await expect(handler.handle(id, { metadata: metadata() }, deciding(complete(id, 'x'.repeat(9000))))).rejects.toMatchObject({
      name: 'TopDogError',
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringContaining('8192-byte'),
    });
    expect(await store.readStream(streamId)).toHaveLength(1);
    expect(await handler.handle(id, { metadata: metadata() }, deciding(complete(id, 'short')))).toMatchObject({ kind: 'appended', revision: 1 });
  });

  it('chains each event to the one before it, in appends of one and of several events, cached or loaded', async () => {
    const store = new InMemoryEventStore();
    const { id, streamId } = newWorkflow();
    // Auto-advance's start and the last phase's completion append two events each.
    const commands = [initialize(id, { autoAdvance: true }), ...PHASES.map(() => complete(id))];
    await applyAll(handlerOn(store), id, commands.slice(0, 3));
    await applyAll(handlerOn(store), id, commands.slice(3)); // a second instance links from the loaded stream
    const stored = await store.readStream(streamId);
    expect(stored).toHaveLength(9);
    expect(verifyChain(stored)).toMatchObject({ ok: true, events: 9, verified: 9, unchained: 0 });
  });
});

describe('WorkflowCommandHandler: several instances on one store', () => {
  it('answers `latest` with what another instance appended since this one cached the workflow; `current` may lag', async () => {
    const store = new InMemoryEventStore();
    const { id } = newWorkflow();
    const a = handlerOn(store);
    const b = handlerOn(store);
    await applyAll(a, id, [initialize(id)]);
    expect(await a.current(id)).toMatchObject({ current: 'DISCOVERY' });
    await applyAll(b, id, [complete(id), complete(id)]);
    expect(await a.current(id)).toMatchObject({ current: 'DISCOVERY' }); // its cache
    expect(await a.latest(id)).toMatchObject({ state: { current: 'IMPLEMENTATION' }, revision: 2 });
    expect(await a.current(id)).toMatchObject({ current: 'IMPLEMENTATION' }); // brought up to date
    expect(await a.latest(randomUUID())).toEqual({ state: { status: 'empty' }, revision: -1 });
  });

  it('decides a command refused on a stale cached state again on the state as stored', async () => {
    const store = new InMemoryEventStore();
    const { id } = newWorkflow();
    const a = handlerOn(store);
    const b = handlerOn(store);
    await applyAll(a, id, [initialize(id)]);
    await applyAll(b, id, [complete(id)]);
    // `a` still has the workflow in DISCOVERY: completing PLANNING is refused there, and right on the stored state.
    const planning: WorkflowDecision = {
      type: 'CompletePhase',
      data: { workflowId: id, aiResponse: 'plan', phaseResult: {}, expectedState: 'PLANNING', projects: ['*'] },
    };
    expect(await a.handle(id, { metadata: metadata() }, deciding(planning))).toMatchObject({ kind: 'appended', revision: 2 });
    // A refusal that stands on the stored state stands.
    await expect(a.handle(id, { metadata: metadata() }, deciding(planning))).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});

describe('WorkflowCommandHandler: Idempotency-Key', () => {
  it('answers a repeated key with the recorded outcome, also after a restart, and refuses it for another request', async () => {
    const store = new InMemoryEventStore();
    const { id, streamId } = newWorkflow();
    const handler = handlerOn(store);
    await applyAll(handler, id, [initialize(id)]);
    const keyed = metadata({ idempotencyKey: 'k1', requestHash: 'h1' });
    const first = await handler.handle(id, { metadata: keyed }, deciding(complete(id)));
    const again = await handler.handle(id, { metadata: keyed }, deciding(complete(id)));
    expect(again).toEqual({
      kind: 'replayed',
      outcome: {
        kind: 'phaseCompleted',
        requestHash: 'h1',
        previousState: 'DISCOVERY',
        newState: 'PLANNING',
        nextRole: 'Q_ASSISTANT',
        awaitingApproval: false,
      },
      revision: first.revision,
      position: first.position,
    });
    expect(await handlerOn(store).handle(id, { metadata: keyed }, deciding(complete(id)))).toEqual(again);
    await expect(handler.handle(id, { metadata: metadata({ idempotencyKey: 'k1', requestHash: 'h2' }) }, deciding(complete(id)))).rejects.toMatchObject({
      name: 'TopDogError',
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(await store.readStream(streamId)).toHaveLength(2);
  });

  it("answers another project's caller NOT_FOUND before looking at the revision or the idempotency keys", async () => {
    const store = new InMemoryEventStore();
    const { id } = newWorkflow();
    const handler = handlerOn(store);
    await applyAll(handler, id, [initialize(id)]); // project 'p'
    const key = { idempotencyKey: 'k-1', requestHash: 'h' };
    await handler.handle(id, { metadata: metadata(key) }, deciding(complete(id)));
    const elsewhere = { projects: ['other'] };
    // A stale If-Match would say the revision; a known key would say it was used: neither may leak.
    await expect(handler.handle(id, { metadata: metadata(), expectedRevision: 0, ...elsewhere }, deciding(complete(id)))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(handler.handle(id, { metadata: metadata(key), ...elsewhere }, deciding(complete(id)))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(handler.handle(id, { metadata: metadata({ ...key, requestHash: 'other' }), ...elsewhere }, deciding(complete(id)))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await handler.handle(id, { metadata: metadata(key), projects: ['p'] }, deciding(complete(id)))).toMatchObject({ kind: 'replayed' });
  });
});
