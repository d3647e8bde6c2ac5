import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from '@jridgewell/sourcemap-codec';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepOwnSources } from './own-source-map.mjs';

/**
 * A bundle of our code calling a library's, run by Node with --enable-source-maps as the
 * services are: the stack trace through both, with the whole map and with the narrowed one.
 * Built as the services are (whitespace minified: a few long lines) and with a line per
 * statement, where a library's code spans lines of its own.
 */
describe.each([
  { layout: 'whitespace minified', minifyWhitespace: true },
  { layout: 'a line per statement', minifyWhitespace: false },
])('a source map narrowed to our own sources ($layout)', ({ minifyWhitespace }) => {
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
      ['export const padding = () => 1;', 'export function callBack(fn) {', '  const callback = fn;', '  return callback();', '}'].join('\n'),
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
      minifyWhitespace,
      logLevel: 'error',
    });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps our frames' files and lines, and leaves a library's frames at their place in the bundle", () => {
    const whole = stackOf();
    expect(whole[0]).toMatch(/ourFailure .*app\.js:5:/);
    expect(whole[1]).toMatch(/callBack\d* .*node_modules\/lib\/index\.js:4:/);

    const { before, after } = keepOwnSources(join(dir, 'out.mjs.map'));
    expect(after).toBeLessThan(before);
    const map = JSON.parse(readFileSync(join(dir, 'out.mjs.map'), 'utf8')) as { sources: string[]; names: string[]; mappings: string };
    expect(map.sources).toEqual(['first.js', 'app.js']);
    // Every segment points at a source and a name the map has.
    for (const segment of decode(map.mappings).flat()) {
      if (segment.length > 1) expect(segment[1]).toBeLessThan(map.sources.length);
      if (segment.length === 5) expect(segment[4]).toBeLessThan(map.names.length);
    }

    const narrowed = stackOf();
    expect(narrowed[0]).toMatch(/ourFailure .*app\.js:5:/);
    // Not mapped to our code before it: the bundle's own position.
    expect(narrowed[1]).toMatch(/callBack\d* .*out\.mjs:\d+:\d+/);
    expect(narrowed[1]).not.toMatch(/app\.js|first\.js/);
    expect(narrowed[2]).toMatch(/app\.js:7:/);
  });
});
