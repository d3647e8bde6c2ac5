import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { eventStreamName, LLM_REQUEST_QUEUE } from '@topdog/contracts';
import { poll } from './wait';

/**
 * Delivers every call request ever made again: the runners' shared queue is recreated from the
 * start of the stream. Resolves once every request was taken and acknowledged.
 */
export async function redeliverEveryCallRequest(nc: NatsConnection, prefix: string, options: { ackWaitMs: number; timeoutMs?: number }): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const stream = eventStreamName(prefix);
  await jsm.consumers.delete(stream, LLM_REQUEST_QUEUE.durable);
  await jsm.consumers.add(stream, {
    durable_name: LLM_REQUEST_QUEUE.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: `${prefix}.events.workflow.>`,
    ack_wait: options.ackWaitMs * 1_000_000,
  });
  await poll(
    'every request to be taken and acknowledged',
    async () => {
      const info = await jsm.consumers.info(stream, LLM_REQUEST_QUEUE.durable);
      return info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq > 0 ? true : undefined;
    },
    { timeoutMs: options.timeoutMs ?? 20_000, everyMs: 200 },
  );
}
