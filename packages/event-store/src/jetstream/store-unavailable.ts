import { isBusUnavailable } from '@topdog/contracts';
import { EventStoreUnavailableError } from '../event-store';

/** The error to throw for a failed store operation: the bus not answering as the port's type, anything else as it is. */
export function unavailableOr(err: unknown, operation: string): unknown {
  return isBusUnavailable(err) && !(err instanceof EventStoreUnavailableError) ? new EventStoreUnavailableError(operation, { cause: err }) : err;
}
