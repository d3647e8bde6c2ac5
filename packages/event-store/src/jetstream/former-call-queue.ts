import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { eventStreamName, LLM_REQUEST_QUEUE, type QueuedLlmCall } from '@topdog/contracts';
import { decodeCommit, EVENT_TYPES_HEADER } from './commit-codec';

/**
 * The upgrade step to the call queue, run by the orchestrator at start. The llm-runners used to
 * take call requests from a durable consumer on the event stream itself (`llm_runner`); the
 * requests it had not acknowledged yet (everything after its ack floor: waiting, or taken by a
 * runner stopped before it recorded the result) are queued again, then that consumer is
 * deleted. A request whose result is recorded meanwhile is not called again (the runners ask
 * first), so queuing one twice costs nothing. Nothing to do when the consumer does not exist.
 * Returns how many requests were queued again.
 */
export async function requeueFormerCallQueue(nc: NatsConnection, prefix: string, enqueue: (call: QueuedLlmCall) => Promise<void>): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const stream = eventStreamName(prefix);
  let ackFloor: number;
  try {
    ackFloor = (await jsm.consumers.info(stream, LLM_REQUEST_QUEUE.durable)).ack_floor.stream_seq;
  } catch (err) {
    if (err instanceof JetStreamApiError && (err.code === JetStreamApiCodes.ConsumerNotFound || err.code === JetStreamApiCodes.StreamNotFound)) return 0;
    throw err;
  }
  const head = (await jsm.streams.info(stream)).state.last_seq;
  let queued = 0;
  for (let seq = ackFloor + 1; seq <= head; seq++) {
    const msg = await jsm.direct.getMessage(stream, { seq });
    if (!msg) continue;
    // Commits from before the types header are decoded to find out.
    const types = msg.header.get(EVENT_TYPES_HEADER);
    if (types && !types.split(',').includes('LlmCallRequested')) continue;
    for (const { position: _position, ...event } of decodeCommit(msg.seq, msg.data)) {
      if (event.type !== 'LlmCallRequested') continue;
      await enqueue(event as QueuedLlmCall);
      queued++;
    }
  }
  await jsm.consumers.delete(stream, LLM_REQUEST_QUEUE.durable);
  return queued;
}
