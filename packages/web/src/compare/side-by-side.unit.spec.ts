import { createTwoFilesPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { sideBySide } from './side-by-side';

describe('sideBySide', () => {
  it('lays a unified diff out in rows: context on both sides, a removal beside the addition that replaced it', () => {
    const a = 'one\ntwo\nthree\nfour\n';
    const b = 'one\nTWO\nthree\nfour\nfive\n';
    const rows = sideBySide(createTwoFilesPatch('a', 'b', a, b));
    expect(rows).toEqual([
      { kind: 'same', left: { number: 1, text: 'one' }, right: { number: 1, text: 'one' } },
      { kind: 'changed', left: { number: 2, text: 'two' }, right: { number: 2, text: 'TWO' } },
      { kind: 'same', left: { number: 3, text: 'three' }, right: { number: 3, text: 'three' } },
      { kind: 'same', left: { number: 4, text: 'four' }, right: { number: 4, text: 'four' } },
      { kind: 'added', left: null, right: { number: 5, text: 'five' } },
    ]);
  });

  it('pairs runs of unequal length, leaving the rest one-sided, and puts a gap between hunks', () => {
    const a = ['x', 'a1', 'a2', 'a3', ...Array.from({ length: 10 }, (_, i) => `same ${i}`), 'tail'].join('\n');
    const b = ['x', 'b1', ...Array.from({ length: 10 }, (_, i) => `same ${i}`), 'TAIL'].join('\n');
    const rows = sideBySide(createTwoFilesPatch('a', 'b', a, b, undefined, undefined, { context: 1 }));
    expect(rows.filter((r) => r.kind === 'changed').map((r) => [r.left?.text, r.right?.text])).toEqual([
      ['a1', 'b1'],
      ['tail', 'TAIL'],
    ]);
    expect(rows.filter((r) => r.kind === 'removed').map((r) => r.left?.text)).toEqual(['a2', 'a3']);
    expect(rows.filter((r) => r.kind === 'gap')).toHaveLength(1);
    // Line numbers follow each side's own file.
    expect(rows.find((r) => r.right?.text === 'TAIL')?.right?.number).toBe(13);
    expect(rows.find((r) => r.left?.text === 'tail')?.left?.number).toBe(15);
  });

  it('skips file headers and "no newline" markers; an empty diff is no rows', () => {
    expect(sideBySide('')).toEqual([]);
    const rows = sideBySide(createTwoFilesPatch('a', 'b', 'old', 'new'));
    expect(rows).toEqual([{ kind: 'changed', left: { number: 1, text: 'old' }, right: { number: 1, text: 'new' } }]);
  });

  it('keeps a removed line that itself starts with dashes', () => {
    const rows = sideBySide(createTwoFilesPatch('a', 'b', '-- note\nkeep\n', 'keep\n'));
    expect(rows[0]).toEqual({ kind: 'removed', left: { number: 1, text: '-- note' }, right: null });
  });
});
