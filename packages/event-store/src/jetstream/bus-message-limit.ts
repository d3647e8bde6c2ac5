import type { NatsConnection } from '@nats-io/transport-node';
import { AppendTooLargeError } from '../event-store';

/** Kept free below the bus's message limit for the protocol line and a commit's usual headers. */
const HEADER_ROOM_BYTES = 512;

/** The server's `max_payload`: 1 MiB where the connection has not learnt it yet. */
const busLimit = (nc: NatsConnection): number => nc.info?.max_payload ?? 1024 * 1024;

/** Whether the server takes a message of `payloadBytes` (with `extraHeaderBytes` of headers beyond the usual ones). */
export function fitsTheBus(nc: NatsConnection, payloadBytes: number, extraHeaderBytes = 0): boolean {
  return payloadBytes + HEADER_ROOM_BYTES + extraHeaderBytes <= busLimit(nc);
}

/** Throws AppendTooLargeError for a message the server would refuse (see `fitsTheBus`). */
export function assertFitsTheBus(nc: NatsConnection, streamId: string, payloadBytes: number, extraHeaderBytes = 0): void {
  if (!fitsTheBus(nc, payloadBytes, extraHeaderBytes)) throw new AppendTooLargeError(streamId, payloadBytes, busLimit(nc));
}
