import { describe, expect, it } from 'vitest';
import { StreamQuota } from './stream-quota';

describe('StreamQuota', () => {
  it('refuses an owner one stream over the bound, with RATE_LIMITED', () => {
    const quota = new StreamQuota(2);
    quota.acquire('alice');
    quota.acquire('alice');
    let refusal: unknown;
    try {
      quota.acquire('alice');
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toMatchObject({ name: 'TopDogError', code: 'RATE_LIMITED' });
    expect(quota.heldBy('alice')).toBe(2);
  });

  it('frees a place when a stream is released, once however often it is released', () => {
    const quota = new StreamQuota(1);
    const slot = quota.acquire('alice');
    slot.release();
    slot.release();
    const again = quota.acquire('alice');
    expect(quota.heldBy('alice')).toBe(1);
    again.release();
    expect(quota.heldBy('alice')).toBe(0);
  });

  it('counts each owner apart', () => {
    const quota = new StreamQuota(1);
    quota.acquire('alice');
    expect(() => quota.acquire('bob')).not.toThrow();
  });
});
