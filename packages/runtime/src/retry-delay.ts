/**
 * How long to wait before trying again after `attempt` failures in a row: doubling from 200 ms,
 * at most 5 s. For loops that retry until a dependency (NATS, another service) is back.
 */
export const retryDelayMs = (attempt: number): number => Math.min(5_000, 100 * 2 ** Math.min(attempt, 6));
