import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TEST_ADMIN_KEY } from './credentials';

/** The `topdog` command line as built: what users run. */
export const TOPDOG_BIN = fileURLToPath(new URL('../../packages/cli/dist/topdog.mjs', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI against a gateway, with the test admin key unless `env` gives another. */
export function runTopdog(baseUrl: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TOPDOG_BIN, '--url', baseUrl, ...args], {
      env: { ...process.env, TOPDOG_API_KEY: TEST_ADMIN_KEY, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
