import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signBody } from './signature';

describe('signBody', () => {
  it('is sha256= and the hex HMAC-SHA256 of the raw body with the secret', () => {
    // RFC 4231 test case 2.
    expect(signBody('Jefe', 'what do ya want for nothing?')).toBe('sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('verifies as a receiver would, and not with another secret or body', () => {
    const body = JSON.stringify({ type: 'PhaseCompleted', position: 4001 });
    const header = signBody('s3cret', body);
    const expected = `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`;
    expect(timingSafeEqual(Buffer.from(header), Buffer.from(expected))).toBe(true);
    expect(signBody('other', body)).not.toBe(header);
    expect(signBody('s3cret', `${body} `)).not.toBe(header);
  });
});
