import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepOwnSources } from './own-source-map.mjs';

/**
 * A bundle of our code calling a library's, run by Node with --enable-source-maps as the
 * services are: the stack trace through both, with the whole map and with the narrowed one.
 */
describe('a source map narrowed to our own sources', () => {
  let dir: string;
  const stackOf = () =>
    execFileSync(process.execPath, ['--enable-source-maps', join(dir, 'out.mjs')], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim().startsWith('at '));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'own-source-map-'));
    mkdirSync(join(dir, 'node_modules', 'lib'), { recursive: true });
    // An ES module: the bundle holds it where it is imported, between our two files.
    writeFileSync(join(dir, 'node_modules', 'lib', 'package.json'), JSON.stringify({ name: 'lib', type: 'module', exports: './index.js' }));
    writeFileSync(
      join(dir, 'node_modules', 'lib', 'index.js'),
      ['export const padding = () => 1;', 'export function callBack(fn) {', '  return fn();', '}'].join('\n'),
    );
    // Our code on both sides of the library's in the bundle, as in a service's.
    writeFileSync(join(dir, 'first.js'), ['export function label(value) {', "  return 'value ' + value;", '}'].join('\n'));
    writeFileSync(
      join(dir, 'app.js'),
      [
        "import { label } from './first.js';",
        "import { callBack } from 'lib';",
        'console.log(label(1));',
        'function ourFailure() {',
        "  return new Error('boom').stack;",
        '}',
        'console.log(callBack(ourFailure));',
      ].join('\n'),
    );
    await build({
      entryPoints: [join(dir, 'app.js')],
      outfile: join(dir, 'out.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      sourcemap: true,
      minifyWhitespace: true,
      logLevel: 'error',
    });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps our frames' files and lines, and leaves a library's frames at their place in the bundle", () => {
    const whole = stackOf();
    expect(whole[0]).toMatch(/ourFailure .*app\.js:5:/);
    expect(whole[1]).toMatch(/callBack\d* .*node_modules\/lib\/index\.js:3:/);

    const { before, after } = keepOwnSources(join(dir, 'out.mjs.map'));
    expect(after).toBeLessThan(before);
    expect(JSON.parse(readFileSync(join(dir, 'out.mjs.map'), 'utf8')).sources).toEqual(['first.js', 'app.js']);

    const narrowed = stackOf();
    expect(narrowed[0]).toMatch(/ourFailure .*app\.js:5:/);
    // Not mapped to our code before it: the bundle's own position.
    expect(narrowed[1]).toMatch(/callBack\d* .*out\.mjs:\d+:\d+/);
    expect(narrowed[1]).not.toMatch(/app\.js/);
    expect(narrowed[2]).toMatch(/app\.js:7:/);
  });
});
