#!/usr/bin/env node
// `pnpm topdog …`: runs the command line built by `pnpm build` (packages/cli/dist/topdog.mjs).
// It is built here first only when it is missing or older than a source it is made from, so a
// call costs the command's own time, not a build.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'packages', 'cli', 'dist', 'topdog.mjs');

/** The newest modification time under a folder's TypeScript sources. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.md')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const packages = join(root, 'packages');
const sources = readdirSync(packages)
  .map((p) => join(packages, p, 'src'))
  .filter((dir) => existsSync(dir));
const stale = !existsSync(bundle) || sources.some((dir) => newestSource(dir) > statSync(bundle).mtimeMs);
if (stale) {
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--only=cli'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
await import(pathToFileURL(bundle).href);
