import { randomUUID } from 'node:crypto';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { eventStreamName, type NewEvent } from '@topdog/contracts';
import { startNatsServer } from '@topdog/testing';
import { describe, expect, it } from 'vitest';
import { newTestEvent } from '../test-event';
import { requeueFormerCallQueue } from './former-call-queue';
import { JetStreamEventStore } from './jetstream.event-store';
import { callRequestData } from './llm-call.fixture';
import { LlmCallPublisher, LlmCallQueue } from './llm-call-queue';

const callRequested = (workflowId: string): NewEvent => ({ ...newTestEvent('LlmCallRequested'), data: callRequestData(workflowId) });

describe("the upgrade from the llm-runners' former queue on the event stream", () => {
  it('queues again every call request the former consumer had not acknowledged, skipping what is no commit, then deletes it; once', async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url, noAsyncTraces: true });
    try {
      const store = await JetStreamEventStore.create(nc, { prefix: 'up' });
      const jsm = await jetstreamManager(nc);
      const stream = eventStreamName('up');
      // The former queue, as the orchestrator created it.
      await jsm.consumers.add(stream, {
        durable_name: 'llm_runner',
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
        filter_subject: 'up.events.workflow.>',
      });
      const [done, waiting] = [randomUUID(), randomUUID()];
      await store.appendToStream(`workflow-${done}`, [newTestEvent('WorkflowInitialized'), callRequested(done)], { expectedRevision: 'no_stream' });
      await store.appendToStream(`workflow-${waiting}`, [newTestEvent('WorkflowInitialized')], { expectedRevision: 'no_stream' });
      await store.appendToStream(`workflow-${waiting}`, [callRequested(waiting)], { expectedRevision: 0 });
      // Something on the stream that is no commit (written by hand, say): skipped, not fatal.
      const junk = await jetstream(nc).publish(`up.events.workflow.${randomUUID()}`, 'not a commit');
      // A runner took the first commit and recorded its call.
      const first = await (await jetstream(nc).consumers.get(stream, 'llm_runner')).next({ expires: 2_000 });
      expect(await first!.ackAck()).toBe(true);

      await LlmCallQueue.ensure(nc, { prefix: 'up' });
      const publisher = new LlmCallPublisher(nc, 'up');
      const unreadable: number[] = [];
      expect(
        await requeueFormerCallQueue(
          nc,
          'up',
          (c) => publisher.enqueue(c),
          (seq) => unreadable.push(seq),
        ),
      ).toBe(1);
      expect(unreadable).toEqual([junk.seq]);
      await expect(jsm.consumers.info(stream, 'llm_runner')).rejects.toThrow(/consumer not found/i);
      const taken = await (await LlmCallQueue.open(nc, { prefix: 'up' })).take(2_000);
      expect([taken?.call.data.workflowId, taken?.call.streamId, taken?.call.revision, taken?.call.expectedRevision]).toEqual([
        waiting,
        `workflow-${waiting}`,
        1,
        0,
      ]);
      expect(await requeueFormerCallQueue(nc, 'up', (c) => publisher.enqueue(c))).toBe(0);
      // A consumer of that name made since the call queue exists is not the former queue: left alone.
      await jsm.consumers.add(stream, {
        durable_name: 'llm_runner',
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: 'up.events.workflow.>',
      });
      expect(await requeueFormerCallQueue(nc, 'up', (c) => publisher.enqueue(c))).toBe(0);
      expect((await jsm.consumers.info(stream, 'llm_runner')).num_pending).toBeGreaterThan(0);
    } finally {
      await nc.close();
    }
  });
});
