import { describe, expect, it } from 'vitest';
import { retryAfterMsOf } from './live-events';

describe('retryAfterMsOf', () => {
  it("reads the gateway's Retry-After in seconds, capped at a minute", () => {
    expect(retryAfterMsOf('5')).toBe(5_000);
    expect(retryAfterMsOf('3600')).toBe(60_000);
  });

  it('is no wait when the header is absent or not seconds', () => {
    expect(retryAfterMsOf(null)).toBe(0);
    expect(retryAfterMsOf('Wed, 21 Oct 2015 07:28:00 GMT')).toBe(0);
    expect(retryAfterMsOf('-1')).toBe(0);
  });
});
