import { describe, expect, it } from 'vitest';
import { colourDiff } from './compare.command';

describe('colourDiff', () => {
  const diff = '--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n same\n-old\n+new';

  it('colours added lines green, removed red and hunks cyan, leaving the file headers plain', () => {
    expect(colourDiff(diff, true).split('\n')).toEqual([
      '--- a/x',
      '+++ b/x',
      '\u001b[36m@@ -1,2 +1,2 @@\u001b[0m',
      ' same',
      '\u001b[31m-old\u001b[0m',
      '\u001b[32m+new\u001b[0m',
    ]);
  });

  it('leaves the diff as it is without colour', () => {
    expect(colourDiff(diff, false)).toBe(diff);
  });
});
