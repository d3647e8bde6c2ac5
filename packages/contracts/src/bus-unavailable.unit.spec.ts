import { describe, expect, it } from 'vitest';
import { isBusUnavailable } from './bus-unavailable';

const named = (name: string, message = '', extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { name }, extra);

describe('isBusUnavailable', () => {
  it("takes nats.js's errors for the bus not answering, by the names nats.js gives them", () => {
    for (const name of ['TimeoutError', 'NoResponders', 'ClosedConnectionError', 'DrainingConnectionError', 'ConnectionError', 'JetStreamNotEnabled']) {
      expect(isBusUnavailable(named(name)), name).toBe(true);
    }
    expect(isBusUnavailable(named('EventStoreUnavailableError'))).toBe(true);
  });

  it('takes a failed request by its cause: no responders or a time-out, not a refused permission', () => {
    expect(isBusUnavailable(Object.assign(new Error('x', { cause: named('NoResponders') }), { name: 'RequestError' }))).toBe(true);
    expect(isBusUnavailable(Object.assign(new Error('x', { cause: named('TimeoutError') }), { name: 'RequestError' }))).toBe(true);
    expect(isBusUnavailable(Object.assign(new Error('x', { cause: named('PermissionViolationError') }), { name: 'RequestError' }))).toBe(false);
    expect(isBusUnavailable(named('RequestError'))).toBe(false);
  });

  it('takes JetStream saying it is not ready, and no other JetStream answer', () => {
    expect(isBusUnavailable(named('JetStreamApiError', 'JetStream system temporarily unavailable', { code: 10008 }))).toBe(true);
    expect(isBusUnavailable(named('JetStreamApiError', 'x', { status: 503 }))).toBe(true);
    expect(isBusUnavailable(named('JetStreamApiError', 'stream leader not known'))).toBe(true);
    expect(isBusUnavailable(named('JetStreamApiError', 'wrong last sequence: 5', { code: 10071 }))).toBe(false);
  });

  it('takes nothing else: answers, permission refusals, non-errors', () => {
    expect(isBusUnavailable(named('PermissionViolationError'))).toBe(false);
    expect(isBusUnavailable(named('TopDogError'))).toBe(false);
    expect(isBusUnavailable('TimeoutError')).toBe(false);
    expect(isBusUnavailable(undefined)).toBe(false);
  });
});
