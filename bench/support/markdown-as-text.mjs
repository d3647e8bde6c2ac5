// Lets the bench (run by tsx) import the prompt library's Markdown files as text, as esbuild's
// text loader does for the service bundles and vitest's plugin does for the tests.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
  import { readFile } from 'node:fs/promises';
  export async function load(url, context, next) {
    if (!url.endsWith('.md')) return next(url, context);
    const text = await readFile(new URL(url), 'utf8');
    return { format: 'module', source: 'export default ' + JSON.stringify(text) + ';', shortCircuit: true };
  }
`),
);
