import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { eventStreamName, LLM_REQUEST_QUEUE, llmCallStreamName, llmCallSubject, type QueuedLlmCall } from '@topdog/contracts';
import { poll } from './wait';

/**
 * Queues every call request ever made again, as the orchestrator queued it (read back from the
 * event stream, each a new queue message). Resolves once every one was taken and acknowledged.
 */
export async function redeliverEveryCallRequest(nc: NatsConnection, prefix: string, options: { timeoutMs?: number } = {}): Promise<void> {
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const head = (await jsm.streams.info(eventStreamName(prefix))).state.last_seq;
  const messages = await (await js.consumers.get(eventStreamName(prefix), { deliver_policy: DeliverPolicy.All })).consume();
  let queued = 0;
  for await (const m of messages) {
    const commit = m.json<{ streamId: string; events: (Omit<QueuedLlmCall, 'streamId'> & { type: string })[] }>();
    for (const event of commit.events) {
      if (event.type !== 'LlmCallRequested') continue;
      await js.publish(llmCallSubject(prefix, event.data.workflowId), JSON.stringify({ ...event, streamId: commit.streamId }));
      queued++;
    }
    if (m.seq >= head) break;
  }
  await messages.close();
  if (queued === 0) throw new Error('no call request was ever made');
  await poll(
    'every request to be taken and acknowledged',
    async () => {
      const info = await jsm.consumers.info(llmCallStreamName(prefix), LLM_REQUEST_QUEUE.durable);
      return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
    },
    { timeoutMs: options.timeoutMs ?? 20_000, everyMs: 200 },
  );
}
