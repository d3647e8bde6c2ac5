import { describe, expect, it } from 'vitest';
import { nextRetryDelay } from './retry-schedule';

const policy = { baseMs: 1_000, maxMs: 60_000, retryForMs: 86_400_000 };

describe('nextRetryDelay', () => {
  it('doubles from the base up to the cap, with jitter over the upper half', () => {
    const top = (attempt: number) => nextRetryDelay(attempt, 0, policy, () => 1);
    const bottom = (attempt: number) => nextRetryDelay(attempt, 0, policy, () => 0);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(top)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect([1, 2, 3].map(bottom)).toEqual([500, 1_000, 2_000]);
  });

  it('gives up when the next attempt would start past the retry window', () => {
    const short = { baseMs: 1_000, maxMs: 60_000, retryForMs: 10_000 };
    expect(nextRetryDelay(3, 5_000, short, () => 1)).toBe(4_000);
    expect(nextRetryDelay(3, 6_001, short, () => 1)).toBeNull();
    expect(nextRetryDelay(1, 0, { ...short, retryForMs: 0 }, () => 1)).toBeNull();
  });

  it('keeps trying for a day by default: about 24 hours of capped waits', () => {
    let elapsed = 0;
    let attempts = 1;
    for (let wait = nextRetryDelay(1, 0, policy, () => 1); wait !== null; wait = nextRetryDelay(attempts, elapsed, policy, () => 1)) {
      elapsed += wait;
      attempts++;
    }
    expect(elapsed).toBeLessThanOrEqual(86_400_000);
    expect(elapsed).toBeGreaterThan(86_400_000 - 60_000);
  });
});
