/**
 * Failures of the bus rather than answers: no connection, a request that timed out, nobody
 * answering (a stream without a leader while a cluster elects one), JetStream saying it is not
 * ready. nats.js names each error class (`NoResponders`, not `NoRespondersError`); JetStream
 * reports "no responders" on a publish as `JetStreamNotEnabled`. The one test of "try again
 * later" for the event store's operations and the services' start-up steps alike.
 */
const UNAVAILABLE = new Set([
  'EventStoreUnavailableError',
  'TimeoutError',
  'NoResponders',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'ConnectionError',
  'JetStreamNotEnabled',
]);

export function isBusUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (UNAVAILABLE.has(err.name)) return true;
  // A failed request says why in its cause: a time-out or no responders is the bus; a refused
  // permission (its reply subject, say) is not, and retrying would only hide it.
  if (err.name === 'RequestError') return isBusUnavailable(err.cause);
  // 10008: "JetStream system temporarily unavailable"; a 503; a stream or bucket with no leader yet.
  const { code, status } = err as { code?: unknown; status?: unknown };
  return err.name === 'JetStreamApiError' && (code === 10008 || status === 503 || /temporarily unavailable|leader/i.test(err.message));
}
