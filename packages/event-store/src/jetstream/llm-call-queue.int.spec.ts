import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { llmCallStreamName, type QueuedLlmCall } from '@topdog/contracts';
import { startNatsServer } from '@topdog/testing';
import { describe, expect, it } from 'vitest';
import { AppendTooLargeError } from '../event-store';
import { queuedCall } from './llm-call.fixture';
import { LlmCallPublisher, LlmCallQueue } from './llm-call-queue';

const call = queuedCall;

describe('LLM call queue (a work queue shared by the llm-runners)', () => {
  it('hands each call to one of several takers as queued, stores a retried publish once, and redelivers what is not acknowledged', async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url, noAsyncTraces: true });
    try {
      await LlmCallQueue.ensure(nc, { prefix: 'q', ackWaitMs: 2_000 });
      const publisher = new LlmCallPublisher(nc, 'q');
      const takers = await Promise.all([LlmCallQueue.open(nc, { prefix: 'q' }), LlmCallQueue.open(nc, { prefix: 'q' })]);
      const queued = Array.from({ length: 10 }, () => call());
      for (const c of queued) await publisher.enqueue(c);
      await publisher.enqueue(queued[0]!); // a retried publish: the same request id
      const seen: QueuedLlmCall[] = [];
      let unacked: string | undefined;
      await Promise.all(
        takers.map(async (taker) => {
          while (seen.length < 10) {
            const taken = await taker.take(1_000);
            if (!taken) continue;
            expect(taken.queuedAtMs).toBeGreaterThan(Date.now() - 60_000);
            seen.push(taken.call);
            if (!unacked) unacked = taken.call.id;
            else await taken.ack();
          }
        }),
      );
      expect(seen.map((c) => c.id).sort()).toEqual(queued.map((c) => c.id).sort());
      expect(seen.find((c) => c.id === queued[1]!.id)).toEqual(queued[1]);
      // The one never acknowledged comes back after the ack wait, marked as redelivered; then nothing is left.
      const again = await takers[0].take(5_000);
      expect([again?.call.id, again?.redeliveries]).toEqual([unacked, 1]);
      await again!.ack();
      expect((await (await jetstreamManager(nc)).streams.info(llmCallStreamName('q'))).state.messages).toBe(0);
    } finally {
      await nc.close();
    }
  });

  it('drops a message that is no call request, hands back one it cannot read, and says so', async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url, noAsyncTraces: true });
    try {
      await LlmCallQueue.ensure(nc, { prefix: 'bad' });
      const unreadable: Error[] = [];
      const queue = await LlmCallQueue.open(nc, { prefix: 'bad', onUnreadable: (err) => unreadable.push(err) });
      nc.publish('bad.calls.x', 'not json');
      const newer = call();
      nc.publish('bad.calls.y', JSON.stringify({ ...newer, data: { ...newer.data, purpose: 'a purpose of a newer version' } }));
      const good = call();
      await new LlmCallPublisher(nc, 'bad').enqueue(good);
      const taken = [await queue.take(2_000), await queue.take(2_000), await queue.take(2_000)].filter((t) => t !== undefined);
      expect(taken.map((t) => t.call.id)).toEqual([good.id]);
      await taken[0]!.ack();
      expect(unreadable.map((e) => e.message)).toEqual([
        expect.stringContaining('on bad.calls.x is not a call request this runner reads (dropped)'),
        expect.stringContaining('on bad.calls.y is not a call request this runner reads (handed back for another runner)'),
      ]);
      // The one it cannot read waits in the queue for a runner that can.
      const info = await (await jetstreamManager(nc)).consumers.info(llmCallStreamName('bad'), 'llm_runner');
      expect(info.num_ack_pending + info.num_pending + info.num_redelivered).toBeGreaterThan(0);
    } finally {
      await nc.close();
    }
  });

  it('refuses a call too large for the bus before queuing it, as the append would be refused', async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url, noAsyncTraces: true });
    try {
      await LlmCallQueue.ensure(nc, { prefix: 'big' });
      const huge = call();
      huge.data.messages = [{ role: 'user', content: 'x'.repeat(nc.info!.max_payload) }];
      await expect(new LlmCallPublisher(nc, 'big').enqueue(huge)).rejects.toBeInstanceOf(AppendTooLargeError);
      expect((await (await jetstreamManager(nc)).streams.info(llmCallStreamName('big'))).state.messages).toBe(0);
    } finally {
      await nc.close();
    }
  });

  it('waits for the orchestrator to create the queue before it opens', async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url, noAsyncTraces: true });
    try {
      let waited = 0;
      const opening = LlmCallQueue.open(nc, { prefix: 'late' }, () => waited++);
      await new Promise((r) => setTimeout(r, 700));
      await LlmCallQueue.ensure(nc, { prefix: 'late' });
      const queue = await opening;
      expect(waited).toBeGreaterThan(0);
      const queued = call();
      await new LlmCallPublisher(nc, 'late').enqueue(queued);
      expect((await queue.take(2_000))?.call.id).toBe(queued.id);
    } finally {
      await nc.close();
    }
  });
});
