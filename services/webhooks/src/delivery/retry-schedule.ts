import { backoffMs, type BackoffPolicy } from '@topdog/contracts';

export interface DeliveryRetryPolicy extends BackoffPolicy {
  /** How long after the first attempt an event is still tried; then it is given up. */
  retryForMs: number;
}

/**
 * The wait before the next attempt after `attempt` failures (1, 2, …) of one event, or null
 * when that attempt would start past `retryForMs` after the first one: give the event up.
 * The back-off is the system's one (`backoffMs`); `random` is injectable for tests.
 */
export function nextRetryDelay(attempt: number, elapsedMs: number, policy: DeliveryRetryPolicy, random: () => number = Math.random): number | null {
  const wait = backoffMs(attempt, policy, random);
  return elapsedMs + wait > policy.retryForMs ? null : wait;
}
