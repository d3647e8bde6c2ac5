import { describe, expect, it } from 'vitest';
import { backoffMs, isRetryableCode, RECONNECT_BACKOFF } from './retry';

describe('backoffMs', () => {
  const policy = { baseMs: 100, maxMs: 1_000 };

  it('doubles from the base, with jitter over the upper half of each ceiling', () => {
    expect(backoffMs(1, policy, () => 0)).toBe(50);
    expect(backoffMs(1, policy, () => 1)).toBe(100);
    expect(backoffMs(2, policy, () => 1)).toBe(200);
    expect(backoffMs(3, policy, () => 0.5)).toBe(300);
  });

  it('never waits longer than the maximum, however many attempts failed', () => {
    expect(backoffMs(10, policy, () => 1)).toBe(1_000);
    expect(backoffMs(10_000, policy, () => 1)).toBe(1_000);
    expect(backoffMs(50, RECONNECT_BACKOFF, () => 1)).toBe(RECONNECT_BACKOFF.maxMs);
  });

  it('treats an attempt below one as the first', () => {
    expect(backoffMs(0, policy, () => 1)).toBe(100);
  });
});

describe('retryable codes', () => {
  it('lets a caller retry only what may not have been applied', () => {
    expect(isRetryableCode('UNAVAILABLE')).toBe(true);
    expect(isRetryableCode('REQUEST_TIMEOUT')).toBe(true);
    expect(isRetryableCode('RATE_LIMITED')).toBe(true);
    for (const code of ['CONFLICT', 'VALIDATION_FAILED', 'NOT_FOUND', 'INTERNAL', 'BUDGET_EXCEEDED']) expect(isRetryableCode(code)).toBe(false);
  });
});
