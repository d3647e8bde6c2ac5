import type { ErrorCode } from './errors';

/**
 * The error codes a caller may send again as is, after a back-off: the request may not have
 * been applied, and applying it later is safe (with an Idempotency-Key for commands).
 * UNAVAILABLE covers a service or the event store not answering and a workflow so busy that
 * the command could not get its write in; REQUEST_TIMEOUT a request the server stopped waiting
 * for before it had it whole; RATE_LIMITED a caller over its limit, who may send it again after
 * the wait its Retry-After names. Everything else is an answer: sending the same request again gets
 * the same one.
 */
export const RETRYABLE_CODES: readonly ErrorCode[] = ['UNAVAILABLE', 'REQUEST_TIMEOUT', 'RATE_LIMITED'];

export const isRetryableCode = (code: string): boolean => (RETRYABLE_CODES as readonly string[]).includes(code);

export interface BackoffPolicy {
  /** The first wait's ceiling. */
  baseMs: number;
  /** No wait is longer. */
  maxMs: number;
}

/** For loops that wait for a dependency (NATS, another service, the gateway) to come back. */
export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 200, maxMs: 5_000 };

/**
 * The one back-off: the wait after `attempt` failures in a row (1, 2, …), exponential from
 * `baseMs` up to `maxMs`, with jitter over the upper half of that ceiling so that callers who
 * failed together do not come back together. `random` is injectable for tests.
 */
export function backoffMs(attempt: number, policy: BackoffPolicy = RECONNECT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}
