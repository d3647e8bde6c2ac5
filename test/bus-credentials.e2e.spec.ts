import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNatsServer, type NatsServerFixture } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const prefix = 'creds';

/** Runs a built service with the given bus credentials until it exits; its output and exit code. */
function runService(service: string, nats: NatsServerFixture, credentials: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(root, 'services', service, 'dist', 'main.js')], {
    env: { ...process.env, NATS_URL: nats.url, TOPDOG_PREFIX: prefix, ...credentials },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

/** A service run with credentials the bus refuses, or whose permissions lack what it needs, stops at once and says why. */
describe('a service on a bus with users', () => {
  let nats: NatsServerFixture;

  beforeAll(async () => {
    nats = await startNatsServer({ auth: { prefix } });
  });
  afterAll(async () => {
    await nats?.dispose();
  });

  it('exits, naming the refused subject, when its user may not do what it needs', async () => {
    const started = Date.now();
    const reader = { NATS_USER: 'reader', NATS_PASSWORD: nats.passwords!.reader };
    // The orchestrator's first request waits for its answer in `_INBOX_orchestrator`, not the reader's to read.
    const wrongInbox = await runService('orchestrator', nats, reader);
    expect(wrongInbox.code).toBe(1);
    expect(wrongInbox.output).toMatch(/NATS refused to subscribe to _INBOX_orchestrator\.\S+: outside this service's bus permissions/);
    // With the reader's inbox, it gets as far as creating the stream.
    const { code, output } = await runService('orchestrator', nats, { ...reader, NATS_INBOX_PREFIX: '_INBOX_reader' });
    expect(code).toBe(1);
    expect(output).toContain(`NATS refused to publish $JS.API.STREAM.CREATE.CREDS_WORKFLOW_EVENTS: outside this service's bus permissions`);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(wrongInbox.output + output).not.toContain(nats.passwords!.reader);
  });

  it('exits when the server refuses its password, without logging it', async () => {
    const { code, output } = await runService('gateway', nats, { NATS_USER: 'gateway', NATS_PASSWORD: 'not-the-password' });
    expect(code).toBe(1);
    expect(output).toContain('Authorization Violation');
    expect(output).not.toContain('not-the-password');
  });

  it('exits at start-up when only half the credentials are given', async () => {
    const { code, output } = await runService('projector', nats, { NATS_USER: 'projector' });
    // A setting's mistake: EX_CONFIG, which `pnpm start` does not restart.
    expect(code).toBe(78);
    expect(output).toContain('NATS_PASSWORD: required with NATS_USER');
  });
});
