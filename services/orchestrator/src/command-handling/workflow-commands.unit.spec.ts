import { randomUUID } from 'node:crypto';
import { InMemoryEventStore } from '@topdog/event-store';
import { describe, expect, it } from 'vitest';
import { initializeDecision, testContext } from '../workflow/workflow.fixture';
import { handlerOn, metadata, queuedCalls } from './command-handler.fixture';
import { createWorkflowCommands } from './workflow-commands';

function commandsOn(store: InMemoryEventStore, calls = queuedCalls(), warmUp?: (workflowId: string) => void) {
  return createWorkflowCommands({
    handler: handlerOn(store, { calls, warmUp }),
    prompts: testContext.prompts,
    maxRepairs: testContext.maxRepairs,
    providers: {
      current: async () => ({ settings: testContext.providers, structuredOutput: testContext.structuredOutput }),
      lastKnown: () => ({ settings: testContext.providers, structuredOutput: testContext.structuredOutput }),
    },
  });
}

const initialize = (workflowId: string, model = 'gpt-4') => ({ ...initializeDecision({ workflowId, model }), metadata: metadata() });

describe('workflow use cases', () => {
  it('run each command through the decider and shape its reply', async () => {
    const commands = commandsOn(new InMemoryEventStore());
    const workflowId = randomUUID();
    const callId = randomUUID();
    expect(await commands.initialize(initialize(workflowId))).toMatchObject({ workflowId, initialState: 'DISCOVERY', callId: null, revision: 0 });
    expect(
      await commands.completePhase({ type: 'CompletePhase', data: { workflowId, aiResponse: 'a', phaseResult: {}, projects: ['*'] }, metadata: metadata() }),
    ).toMatchObject({ previousState: 'DISCOVERY', newState: 'PLANNING', nextRole: 'Q_ASSISTANT', isComplete: false, revision: 1 });
    expect(await commands.runPhase({ type: 'RunPhase', data: { workflowId, callId, projects: ['*'] }, metadata: metadata() })).toMatchObject({
      callId,
      phase: 'PLANNING',
      role: 'Q_ASSISTANT',
      model: 'gpt-4',
      promptVersion: expect.stringMatching(/^q_assistant@/),
      revision: 2,
    });
    const answered = {
      type: 'RecordLlmResult' as const,
      data: {
        workflowId,
        callId,
        nextCallId: randomUUID(),
        outcome: {
          ok: true as const,
          content: 'c',
          inputTokens: 1,
          outputTokens: 1,
          cachedInputTokens: 0,
          cacheWriteTokens: 0,
          latencyMs: 1,
          providerRequestId: null,
          finishReason: 'stop',
          attempts: 1,
        },
      },
      metadata: metadata(),
    };
    expect(await commands.recordLlmResult(answered)).toMatchObject({ recorded: true, revision: 3 });
    expect(await commands.recordLlmResult(answered)).toMatchObject({ recorded: false, revision: 3 });
    expect(await commands.llmCallStatus({ workflowId, callId })).toEqual({ status: 'recorded' });
  });

  it('announce a warm-up for a command on a workflow this instance does not hold, never for one that makes a workflow', async () => {
    const store = new InMemoryEventStore();
    const parentId = randomUUID();
    const first: string[] = [];
    await commandsOn(store, queuedCalls(), (id) => first.push(id)).initialize(initialize(parentId));
    expect(first).toEqual([]);

    // Another instance, which holds nothing: the command on the stored workflow announces it; the fork makes a new one.
    const announced: string[] = [];
    const other = commandsOn(store, queuedCalls(), (id) => announced.push(id));
    await other.completePhase({
      type: 'CompletePhase',
      data: { workflowId: parentId, aiResponse: 'a', phaseResult: {}, projects: ['*'] },
      metadata: metadata(),
    });
    const fork = { workflowId: randomUUID(), parentWorkflowId: parentId, fromPhase: 'PLANNING' as const, firstCallId: randomUUID(), projects: ['*'] };
    expect(await other.fork({ type: 'ForkWorkflow', data: fork, metadata: metadata() })).toMatchObject({ workflowId: fork.workflowId });
    expect(announced).toEqual([parentId]);
  });

  it('queue each requested call before its commit is stored, as it is stored, and tell a request queued again from the stored one', async () => {
    const store = new InMemoryEventStore();
    const calls = queuedCalls();
    let storedWhenQueued = -1;
    const commands = commandsOn(store, {
      queued: calls.queued,
      enqueue: async (call) => {
        storedWhenQueued = (await store.readStream(call.streamId)).length;
        await calls.enqueue(call);
      },
    });
    const workflowId = randomUUID();
    const callId = randomUUID();
    await commands.initialize(initialize(workflowId));
    await commands.runPhase({ type: 'RunPhase', data: { workflowId, callId, projects: ['*'] }, metadata: metadata() });
    expect(calls.queued).toHaveLength(1);
    expect(storedWhenQueued).toBe(1);
    const stored = (await store.readStream(`workflow-${workflowId}`)).find((e) => e.type === 'LlmCallRequested')!;
    const { position: _position, ...asStored } = stored;
    expect(calls.queued[0]).toEqual({ ...asStored, expectedRevision: 0 });
    expect(await commands.llmCallStatus({ workflowId, callId, requestId: stored.id })).toEqual({ status: 'pending' });
    expect(await commands.llmCallStatus({ workflowId, callId, requestId: randomUUID() })).toEqual({ status: 'superseded' });
  });

  it("answer a retried run-phase with the same reply, the model called included (its owner's own)", async () => {
    const commands = commandsOn(new InMemoryEventStore());
    const workflowId = randomUUID();
    await commands.initialize({ ...initializeDecision({ workflowId, models: { Q_ASSISTANT: 'gpt-4.1' } }), metadata: metadata() });
    const run = { type: 'RunPhase' as const, data: { workflowId, callId: randomUUID(), projects: ['*'] }, metadata: metadata({ idempotencyKey: 'run-1' }) };
    const first = await commands.runPhase(run);
    expect(first).toMatchObject({ phase: 'DISCOVERY', model: 'gpt-4.1', revision: 1 });
    expect(await commands.runPhase({ ...run, data: { ...run.data, callId: randomUUID() } })).toEqual(first);
  });

  it('tell the llm-runner a call is pending while the workflow waits for it, and abandoned once cancelled or sent back past it', async () => {
    const commands = commandsOn(new InMemoryEventStore());
    const scope = { projects: ['*'] };
    const running = async () => {
      const workflowId = randomUUID();
      const callId = randomUUID();
      await commands.initialize(initialize(workflowId));
      await commands.completePhase({ type: 'CompletePhase', data: { workflowId, aiResponse: 'a', phaseResult: {}, ...scope }, metadata: metadata() });
      await commands.runPhase({ type: 'RunPhase', data: { workflowId, callId, ...scope }, metadata: metadata() });
      expect(await commands.llmCallStatus({ workflowId, callId })).toEqual({ status: 'pending' });
      return { workflowId, callId };
    };
    const cancelled = await running();
    await commands.cancel({ type: 'CancelWorkflow', data: { workflowId: cancelled.workflowId, reason: 'r', ...scope }, metadata: metadata() });
    expect(await commands.llmCallStatus(cancelled)).toEqual({ status: 'abandoned' });
    const sentBack = await running();
    await commands.sendBack({
      type: 'SendBack',
      data: { workflowId: sentBack.workflowId, toPhase: 'DISCOVERY', reason: 'r', nextCallId: randomUUID(), ...scope },
      metadata: metadata(),
    });
    expect(await commands.llmCallStatus(sentBack)).toEqual({ status: 'abandoned' });
    // Never requested: with the workflow's revision, which a queued call's revision is compared with.
    expect(await commands.llmCallStatus({ workflowId: sentBack.workflowId, callId: randomUUID() })).toEqual({ status: 'unknown', revision: 3 });
    expect(await commands.llmCallStatus({ workflowId: randomUUID(), callId: randomUUID() })).toEqual({ status: 'unknown', revision: -1 });
  });

  it('answer a retried reject, send-back or cancel with the same reply, writing nothing; and refuse a stale If-Match', async () => {
    const store = new InMemoryEventStore();
    const commands = commandsOn(store);
    const scope = { projects: ['*'] };
    const workflowId = randomUUID();
    const keyed = (key: string) => metadata({ idempotencyKey: key, requestHash: `hash-${key}` });
    await commands.initialize({ ...initializeDecision({ workflowId, approvalRequired: ['PLANNING'] }), metadata: metadata() });
    const complete = () =>
      commands.completePhase({ type: 'CompletePhase', data: { workflowId, aiResponse: 'a', phaseResult: {}, ...scope }, metadata: metadata() });
    await complete();
    await complete(); // PLANNING's answer, held for approval
    const head = async () => (await store.readStream(`workflow-${workflowId}`)).length;

    const reject = () =>
      commands.reject({ type: 'RejectPhase', data: { workflowId, comment: 'again', nextCallId: randomUUID(), ...scope }, metadata: keyed('r') });
    const rejected = await reject();
    const afterReject = await head();
    expect(await reject()).toEqual(rejected);
    expect(await head()).toBe(afterReject);

    await complete();
    await commands.approve({ type: 'ApprovePhase', data: { workflowId, comment: null, nextCallId: randomUUID(), ...scope }, metadata: metadata() });
    const sendBack = () =>
      commands.sendBack({
        type: 'SendBack',
        data: { workflowId, toPhase: 'DISCOVERY', reason: 'redo', nextCallId: randomUUID(), ...scope },
        metadata: keyed('s'),
      });
    const sentBack = await sendBack();
    const afterSendBack = await head();
    expect(await sendBack()).toEqual(sentBack);
    expect(await head()).toBe(afterSendBack);

    // If-Match: a revision that is not the current one is refused, and nothing is written.
    await expect(
      commands.cancel({ type: 'CancelWorkflow', data: { workflowId, reason: 'stop', expectedRevision: 1, ...scope }, metadata: metadata() }),
    ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    expect(await head()).toBe(afterSendBack);

    const cancel = () => commands.cancel({ type: 'CancelWorkflow', data: { workflowId, reason: 'stop', ...scope }, metadata: keyed('c') });
    const cancelled = await cancel();
    const afterCancel = await head();
    expect(await cancel()).toEqual(cancelled);
    expect(await head()).toBe(afterCancel);
  });

  it("check the model's provider before a call is requested", async () => {
    const commands = commandsOn(new InMemoryEventStore());
    const workflowId = randomUUID();
    await commands.initialize(initialize(workflowId, 'claude'));
    await expect(
      commands.runPhase({ type: 'RunPhase', data: { workflowId, callId: randomUUID(), projects: ['*'] }, metadata: metadata() }),
    ).rejects.toMatchObject({
      name: 'TopDogError',
      code: 'PROVIDER_NOT_CONFIGURED',
    });
  });
});
