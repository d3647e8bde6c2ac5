import { describe, expect, it } from 'vitest';
import { firstIllFormedString } from './well-formed';

describe('firstIllFormedString', () => {
  it('names the first string holding a lone surrogate, value or key, at any depth', () => {
    expect(firstIllFormedString({ reason: 'ok 😀 中文 \u0000 \u202e' })).toBeUndefined();
    expect(firstIllFormedString({ reason: 'x \ud800 y' })).toBe('reason');
    expect(firstIllFormedString({ a: { b: ['ok', 'end \udc00'] } })).toBe('a.b[1]');
    expect(firstIllFormedString({ ['k\ud800']: 1 })).toBe('k\ud800');
    expect(firstIllFormedString('\udbff')).toBe('(body)');
    const deep: unknown[] = [];
    let at = deep;
    for (let i = 0; i < 100_000; i++) at = at[0] = [];
    expect(firstIllFormedString(deep)).toBeUndefined();
  });
});
