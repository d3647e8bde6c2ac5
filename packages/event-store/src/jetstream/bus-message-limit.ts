import type { NatsConnection } from '@nats-io/transport-node';
import { AppendTooLargeError } from '../event-store';

/** Kept free below the bus's message limit for the protocol line and a commit's usual headers. */
const HEADER_ROOM_BYTES = 512;

/**
 * Throws AppendTooLargeError for a message of `payloadBytes` (with `extraHeaderBytes` of headers
 * beyond the usual ones) that the server would refuse: past its `max_payload`, 1 MiB where the
 * connection has not learnt it yet.
 */
export function assertFitsTheBus(nc: NatsConnection, streamId: string, payloadBytes: number, extraHeaderBytes = 0): void {
  const limit = nc.info?.max_payload ?? 1024 * 1024;
  if (payloadBytes + HEADER_ROOM_BYTES + extraHeaderBytes > limit) throw new AppendTooLargeError(streamId, payloadBytes, limit);
}
