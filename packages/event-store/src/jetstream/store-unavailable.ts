import { EventStoreUnavailableError } from '../event-store';

/**
 * Failures of the bus rather than answers of the store: no connection, a request that timed out,
 * nobody answering (a stream without a leader while a cluster elects one). nats.js names each
 * error class; JetStream reports "no responders" on a publish as JetStreamNotEnabled.
 */
const UNAVAILABLE = new Set([
  'TimeoutError',
  'RequestError',
  'NoRespondersError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'ConnectionError',
  'JetStreamNotEnabled',
]);

/** The error to throw for a failed store operation: unavailability as the port's type, anything else as it is. */
export function unavailableOr(err: unknown, operation: string): unknown {
  return err instanceof Error && UNAVAILABLE.has(err.name) ? new EventStoreUnavailableError(operation, { cause: err }) : err;
}
