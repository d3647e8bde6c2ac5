import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { categoryEventsSubject, eventStreamName, LLM_REQUEST_QUEUE, llmCallStreamName, type QueuedLlmCall } from '@topdog/contracts';
import { decodeCommit, EVENT_TYPES_HEADER } from './commit-codec';

/**
 * The upgrade step to the call queue, run by the orchestrator at start. The llm-runners used to
 * take call requests from a durable consumer on the event stream itself (`llm_runner`); the
 * requests it had not acknowledged yet (everything after its ack floor: waiting, or taken by a
 * runner stopped before it recorded the result) are queued again, then that consumer is
 * deleted. A request whose result is recorded meanwhile is not called again (the runners ask
 * first), so queuing one twice costs nothing. Nothing to do when the consumer does not exist,
 * or is not the former queue (made after the call queue, or filtered otherwise: the bus
 * permissions let no service but the orchestrator make one of that name). Commits are read from
 * the stream's leader where a replica does not have them yet. A message that is not a commit this
 * version can read is skipped and told to `unreadable` (which the caller logs), so that it
 * cannot stop every start. Returns how many were queued again.
 */
export async function requeueFormerCallQueue(
  nc: NatsConnection,
  prefix: string,
  enqueue: (call: QueuedLlmCall) => Promise<void>,
  unreadable: (seq: number, err: unknown) => void = () => undefined,
): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const stream = eventStreamName(prefix);
  const missing = (err: unknown) =>
    err instanceof JetStreamApiError && (err.code === JetStreamApiCodes.ConsumerNotFound || err.code === JetStreamApiCodes.StreamNotFound);
  let former: Awaited<ReturnType<typeof jsm.consumers.info>>;
  try {
    former = await jsm.consumers.info(stream, LLM_REQUEST_QUEUE.durable);
  } catch (err) {
    if (missing(err)) return 0;
    throw err;
  }
  let callQueueCreated = Number.POSITIVE_INFINITY;
  try {
    callQueueCreated = Date.parse((await jsm.streams.info(llmCallStreamName(prefix))).created);
  } catch (err) {
    if (!missing(err)) throw err;
  }
  if (former.config.filter_subject !== categoryEventsSubject(prefix, 'workflow') || Date.parse(former.created) > callQueueCreated) return 0;
  const ackFloor = former.ack_floor.stream_seq;
  const head = (await jsm.streams.info(stream)).state.last_seq;
  // A replica that lags answers a direct get with nothing: the leader has every stored commit.
  const fromLeader = async (seq: number) => {
    try {
      return await jsm.streams.getMessage(stream, { seq });
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.NoMessageFound) return null;
      throw err;
    }
  };
  let queued = 0;
  for (let seq = ackFloor + 1; seq <= head; seq++) {
    const msg = (await jsm.direct.getMessage(stream, { seq })) ?? (await fromLeader(seq));
    if (!msg) continue;
    // Commits from before the types header are decoded to find out.
    const types = msg.header.get(EVENT_TYPES_HEADER);
    if (types && !types.split(',').includes('LlmCallRequested')) continue;
    let events: ReturnType<typeof decodeCommit>;
    try {
      events = decodeCommit(msg.seq, msg.data);
      if (events.length === 0) throw new Error('a commit without events');
    } catch (err) {
      unreadable(msg.seq, err);
      continue;
    }
    const expectedRevision = events[0]!.revision - 1;
    for (const { position: _position, ...event } of events) {
      if (event.type !== 'LlmCallRequested') continue;
      await enqueue({ ...event, expectedRevision } as QueuedLlmCall);
      queued++;
    }
  }
  try {
    await jsm.consumers.delete(stream, LLM_REQUEST_QUEUE.durable);
  } catch (err) {
    // Another orchestrator starting at the same time deleted it first.
    if (!missing(err)) throw err;
  }
  return queued;
}
