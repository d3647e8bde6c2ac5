import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';

/**
 * The text of a file an argument names (`@path`, `--file path`), for commander to parse it with:
 * one it cannot read is an invalid argument (exit 2, saying why). The path is taken from the
 * folder the command was typed in: `pnpm topdog` runs from the workspace's root, and says where
 * it was typed in INIT_CWD.
 */
export function readArgFile(path: string): string {
  const file = resolve(process.env.INIT_CWD ?? process.cwd(), path);
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
