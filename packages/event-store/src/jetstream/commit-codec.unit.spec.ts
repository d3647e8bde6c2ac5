import { describe, expect, it } from 'vitest';
import { parseEarlierSequences } from './commit-codec';

describe('the earlier-sequences header', () => {
  it('lists sequences oldest first', () => {
    expect(parseEarlierSequences('3,17,42')).toEqual([3, 17, 42]);
  });

  it('is absent when empty, and ignored whole when any entry is not a sequence', () => {
    expect(parseEarlierSequences('')).toBeUndefined();
    for (const bad of ['3,,4', '0,5', '-1', '2.5', '7,x', '3,']) expect(parseEarlierSequences(bad)).toBeUndefined();
  });
});
