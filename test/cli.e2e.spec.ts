import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { TopDogClient } from '@topdog/client';
import { workflowStreamId } from '@topdog/contracts';
import { JetStreamEventStore } from '@topdog/event-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptAnswer } from '../packages/cli/src/accept-answer';
import { TEST_ADMIN_KEY } from './support/credentials';
import { startSystem, type System } from './support/system';
import { runTopdog, TOPDOG_BIN } from './support/topdog-cli';
import { waitFor } from './support/wait';

/** The `topdog` command line, run as the real built binary against the real services. */
describe('topdog CLI', () => {
  let system: System;
  let nc: NatsConnection;
  let store: JetStreamEventStore;
  let client: TopDogClient;

  /** The CLI run as `pnpm topdog` runs it when typed in `folder` (pnpm says where in INIT_CWD). */
  const topdogTypedIn = (folder: string, ...args: string[]) => runTopdog(system.baseUrl, args, { INIT_CWD: folder });
  const topdog = (...args: string[]) => runTopdog(system.baseUrl, args);
  const storedPositions = async (id: string) => (await store.readStream(workflowStreamId(id))).map((e) => e.position);

  beforeAll(async () => {
    system = await startSystem();
    nc = await connect({ servers: system.nats.url });
    store = await JetStreamEventStore.create(nc, { prefix: system.prefix });
    client = new TopDogClient({ baseUrl: system.baseUrl, apiKey: TEST_ADMIN_KEY });
  });
  afterAll(async () => {
    await nc?.close();
    await system?.[Symbol.asyncDispose]();
  });

  it('approve, reject, send-back and cancel; status shows awaiting approval and cancelled', async () => {
    const init = await topdog('--json', 'init', '--project', 'p1', '--user', 'u1', '--approval-required', 'discovery,PLANNING');
    expect(init.code, init.stderr).toBe(0);
    const id = JSON.parse(init.stdout).workflow_id as string;
    expect((await topdog('complete', id, '--response', 'reqs v1')).stdout).toContain('DISCOVERY: awaiting approval');
    expect((await topdog('status', id)).stdout).toMatch(/awaiting approval: DISCOVERY since /);
    const missing = await topdog('reject', id);
    expect(missing.code).not.toBe(0);
    expect((await topdog('reject', id, '--comment', 'name the users')).stdout).toContain('DISCOVERY -> DISCOVERY (Q_ASSISTANT)');
    expect((await topdog('prompt', id)).stdout).toContain('name the users');
    await topdog('complete', id, '--response', 'reqs v2');
    expect((await topdog('approve', id, '--comment', 'fine')).stdout).toContain('DISCOVERY -> PLANNING');
    const conflict = await topdog('approve', id);
    expect(conflict.code).toBe(4);
    expect(conflict.stderr).toContain('CONFLICT');
    await topdog('complete', id, '--response', 'plan');
    await topdog('approve', id);
    const back = await topdog('send-back', id, '--to', 'planning', '--reason', 'plan misses a task');
    expect(back.stdout).toContain('IMPLEMENTATION -> PLANNING (Q_ASSISTANT)');
    expect(back.stdout).toContain('superseded: PLANNING');
    expect((await topdog('cancel', id, '--reason', 'dropped')).stdout).toContain('PLANNING -> CANCELLED');
    const status = await topdog('status', id);
    expect(status.stdout).toContain(`${id}  CANCELLED`);
    expect(status.stdout).toContain('cancelled: dropped');
    const audit = (await topdog('audit', id)).stdout;
    expect(audit).toContain('DISCOVERY rejected: name the users');
    expect(audit).toContain('sent back from IMPLEMENTATION to PLANNING');
    expect(audit).toContain('cancelled in PLANNING: dropped');
  });

  it('prompts lists the library; init --role-prompt replaces one; fork copies the answers before --from', async () => {
    const prompts = await topdog('prompts');
    expect(prompts.stdout).toMatch(/CODE_WRITER\s+IMPLEMENTATION\s+code_writer@[0-9a-f]{12}/);
    expect((await topdog('prompts', '--role', 'verifier')).stdout).toMatch(/^verifier@[0-9a-f]{12}\n\n\S/);
    const dir = await mkdtemp(join(tmpdir(), 'topdog-cli-'));
    await writeFile(join(dir, 'writer.md'), 'Write it in Rust.');
    const init = await topdog(
      '--json',
      'init',
      '--project',
      'p1',
      '--user',
      'u1',
      '--role-prompt',
      `CODE_WRITER=@${join(dir, 'writer.md')}`,
      '--role-model',
      'code_writer=gpt-4.1',
    );
    expect(init.code, init.stderr).toBe(0);
    const id = JSON.parse(init.stdout).workflow_id as string;
    const status = (await topdog('status', id)).stdout;
    expect(status).toMatch(/prompts: q_assistant@\w+, custom@\w+, /);
    expect(status).toContain('models: Q_ASSISTANT gpt-4, CODE_WRITER gpt-4.1, TEST_AUDITOR gpt-4');
    await topdog('complete', id, '--response', 'needs');
    await topdog('complete', id, '--response', 'plan');
    expect((await topdog('prompt', id)).stdout).toMatch(/prompt custom@[0-9a-f]{12}\n\n\[system\]\n## Requirements\n[^]*?\}\n\nWrite it in Rust\./);

    const fork = await topdog('fork', id, '--from', 'planning', '--model', 'gpt-4.1');
    expect(fork.code, fork.stderr).toBe(0);
    expect(fork.stdout).toContain(`forked from ${id} at revision 2: runs anew from PLANNING`);
    const forkId = fork.stdout.split('\n')[0]!;
    expect((await topdog('status', forkId)).stdout).toContain(`forked from ${id} at revision 2, anew from PLANNING`);
    expect((await topdog('audit', forkId)).stdout).toContain(`DISCOVERY done by Q_ASSISTANT -> PLANNING (copied from ${id} revision 1)`);
  });

  it('init, status, complete, prompt, audit and verify, readable and --json', async () => {
    const init = await topdog('--json', 'init', '--project', 'p1', '--user', 'u1', '--requirements', '{"goal":"search"}');
    expect(init.code, init.stderr).toBe(0);
    const id = JSON.parse(init.stdout).workflow_id as string;
    const status = await topdog('status', id);
    expect(status.stdout).toContain(`${id}  DISCOVERY  0%  (revision 0)`);
    expect((await topdog('complete', id, '--response', 'requirements', '--result', '{"ok":true}')).stdout).toContain('DISCOVERY -> PLANNING');
    expect((await topdog('prompt', id)).stdout).toContain('[system]');
    expect(JSON.parse((await topdog('--json', 'status', id, '--at', '0')).stdout).current_state).toBe('DISCOVERY');

    const table = await topdog('audit', id);
    expect(table.stdout).toMatch(/rev\s+time\s+event/);
    expect(table.stdout).toContain('DISCOVERY done by Q_ASSISTANT -> PLANNING');
    const ndjson = await topdog('--json', 'audit', id);
    const lines = ndjson.stdout.trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).type)).toEqual(['WorkflowInitialized', 'PhaseCompleted']);

    const verified = await topdog('verify', id);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('ok: 2 events, 2 links verified');

    // An export altered by hand is caught offline, naming the broken link.
    const dir = await mkdtemp(join(tmpdir(), 'topdog-cli-'));
    const file = join(dir, 'audit.ndjson');
    await writeFile(file, `${ndjson.stdout}`);
    expect((await topdog('verify', '--file', file)).code).toBe(0);
    // A relative path is read from the folder the command was typed in.
    expect((await topdogTypedIn(dir, 'verify', '--file', 'audit.ndjson')).code).toBe(0);
    const forged = JSON.parse(lines[0]!);
    forged.data.requirements = { goal: 'something else' };
    await writeFile(file, `${JSON.stringify(forged)}\n${lines[1]}\n`);
    const broken = await topdog('verify', '--file', file);
    expect(broken.code).toBe(7);
    expect(broken.stdout).toContain('BROKEN at revision 1');
    expect(await readFile(file, 'utf8')).toContain('something else');
  });

  it('exits with a distinct code per error class', async () => {
    const id = JSON.parse((await topdog('--json', 'init', '--project', 'p', '--user', 'u', '--model', 'claude')).stdout).workflow_id as string;
    expect((await topdog('status', '00000000-0000-4000-8000-000000000000')).code).toBe(3);
    const conflict = await topdog('complete', id, '--response', 'x', '--expected-state', 'TESTING');
    expect(conflict.code).toBe(4);
    expect(conflict.stderr).toContain('CONFLICT (HTTP 409)');
    expect((await topdog('--url', 'http://127.0.0.1:1', 'status', id)).code).toBe(5);
    const refused = await topdog('--json', 'run', id);
    expect(refused.code).toBe(6);
    expect(JSON.parse(refused.stderr).error).toMatchObject({ code: 'PROVIDER_NOT_CONFIGURED', details: [{ field: 'ANTHROPIC_API_KEY' }] });
    expect((await topdog('init', '--project', 'p')).code).toBe(2); // --user missing
    // Arguments it cannot read: 2 with what is wrong, no stack trace.
    for (const bad of [
      ['--requirements', '@no-such-file.json'],
      ['--requirements', '{bad'],
      ['--requirements', '[1]'],
      ['--role-prompt', 'CODE_WRITER=@no-such-file.md'],
      ['--role-prompt', 'no-role'],
    ]) {
      const refused = await topdog('init', '--project', 'p', '--user', 'u', ...bad);
      expect([refused.code, refused.stderr]).toEqual([2, expect.stringMatching(/cannot read .*no-such-file|not JSON|must be a JSON object|expected ROLE=/)]);
      expect(refused.stderr).not.toMatch(/\n\s+at /);
    }
    const unreadable = await topdog('verify', '--file', 'no-such-file.ndjson');
    expect([unreadable.code, unreadable.stderr]).toEqual([2, expect.stringMatching(/cannot read .*no-such-file\.ndjson: ENOENT/)]);
    const exports = await mkdtemp(join(tmpdir(), 'topdog-cli-'));
    await writeFile(join(exports, 'bad.ndjson'), '{bad\n');
    await writeFile(join(exports, 'other.ndjson'), '{"type":"x"}\n');
    const notJson = await topdogTypedIn(exports, 'verify', '--file', 'bad.ndjson');
    expect([notJson.code, notJson.stderr]).toEqual([2, expect.stringContaining('bad.ndjson line 1 is not JSON')]);
    const notRecord = await topdogTypedIn(exports, 'verify', '--file', 'other.ndjson');
    expect([notRecord.code, notRecord.stderr]).toEqual([2, expect.stringContaining('other.ndjson line 1 is not an audit record')]);
    expect(notRecord.stderr).not.toMatch(/\n\s+at /);
    expect((await topdog('status', 'not-a-uuid')).code).toBe(2);
    expect((await topdog('--api-key', `tdk_000000000000_${'x'.repeat(43)}`, 'status', id)).code).toBe(8);
  });

  it('keys create, list and revoke; a created key works with --api-key and stops once revoked', async () => {
    const created = await topdog('--json', 'keys', 'create', '--name', 'ci', '--projects', 'p,q', '--role', 'reader');
    expect(created.code, created.stderr).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; key: string; projects: string[]; role: string };
    expect(key).toMatchObject({ key: expect.stringMatching(/^tdk_/), projects: ['p', 'q'], role: 'reader' });
    const list = await topdog('keys', 'list');
    expect(list.stdout).toContain(key.id);
    expect(list.stdout).not.toContain(key.key);
    const id = JSON.parse((await topdog('--json', 'init', '--project', 'p', '--user', 'u')).stdout).workflow_id as string;
    expect((await topdog('--api-key', key.key, 'status', id)).code).toBe(0);
    expect((await topdog('--api-key', key.key, 'complete', id, '--response', 'x')).code).toBe(8); // a reader
    expect((await topdog('keys', 'revoke', key.id)).code).toBe(0);
    expect((await topdog('--api-key', key.key, 'status', id)).code).toBe(8);
  });

  it('run prints the answer as it streams; with auto-advance it follows every phase to the end', async () => {
    const id = JSON.parse((await topdog('--json', 'init', '--project', 'p', '--user', 'u', '--model', 'offline')).stdout).workflow_id as string;
    const one = await topdog('run', id);
    expect(one.code, one.stderr).toBe(0);
    // The header once: not again when the call's LlmCallRequested arrives.
    expect(one.stdout.match(/DISCOVERY \(Q_ASSISTANT, offline\):/g)).toHaveLength(1);
    expect(one.stdout).toContain('Offline answer for DISCOVERY.');
    expect(one.stdout).toMatch(/DISCOVERY answered: \d+ in \/ \d+ out tokens, \$0\.0000/);
    // Run by hand, the answer waits for a person: accept takes it, once.
    expect(one.stdout).toContain(`the answer waits for a person: topdog accept ${id}`);
    expect((await topdog('--json', 'status', id)).stdout).toContain('"current_state":"DISCOVERY"');
    const accepted = await topdog('accept', id);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toContain("[DISCOVERY completed with the model's answer]\nDISCOVERY -> PLANNING");
    const again = await topdog('accept', id);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain("no model's answer waits");
    // run --accept completes the phase as soon as the model answers; --json ends with the completion.
    const runAccept = await topdog('--json', 'run', id, '--accept');
    expect(runAccept.code, runAccept.stderr).toBe(0);
    const last = JSON.parse(runAccept.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ type: 'accepted', previous_state: 'PLANNING', new_state: 'IMPLEMENTATION' });
    const status = JSON.parse((await topdog('--json', 'status', id)).stdout) as { current_state: string; completed_phases: string[] };
    expect(status).toMatchObject({ current_state: 'IMPLEMENTATION', completed_phases: ['DISCOVERY', 'PLANNING'] });

    const auto = JSON.parse((await topdog('--json', 'init', '--project', 'p', '--user', 'u', '--model', 'offline', '--auto-advance')).stdout)
      .workflow_id as string;
    const all = await topdog('run', auto);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('[all six phases done]');

    // A cancelled workflow, auto-advancing: run shows it to its end and stops.
    const held = JSON.parse(
      (await topdog('--json', 'init', '--project', 'p', '--user', 'u', '--model', 'offline', '--auto-advance', '--approval-required', 'DISCOVERY')).stdout,
    ).workflow_id as string;
    await waitFor('DISCOVERY held for approval', async () => (await client.status(held)).awaiting_approval !== null);
    // Held before the run: it shows the answer given (no tokens were stored) and ends at the hold.
    const holding = await topdog('run', held);
    expect(holding.code, holding.stderr).toBe(0);
    expect(holding.stdout).toContain('Offline answer for DISCOVERY.');
    expect(holding.stdout).toContain('awaiting approval');
    expect((await topdog('cancel', held, '--reason', 'dropped')).code).toBe(0);
    const cancelled = await topdog('run', held);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toContain('cancelled');

    // A workflow finished by hand: run shows it to its end and stops.
    const done = (await client.initialize({ project_id: 'p', user_id: 'u', model: 'offline' })).workflow_id;
    for (let phase = 0; phase < 6; phase++) await client.completePhase({ workflow_id: done, ai_response: 'by hand' });
    const finished = await topdog('run', done);
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stdout).toContain('[all six phases done]');
  });

  it('accept takes nothing once the answer is taken, rejected or outdated; a gated phase holds it for approval', async () => {
    // Completed by hand after the answer: nothing waits.
    const byHand = JSON.parse((await topdog('--json', 'init', '--project', 'p', '--user', 'u', '--model', 'offline')).stdout).workflow_id as string;
    expect((await topdog('run', byHand)).code).toBe(0);
    const answered = await client.status(byHand);
    expect((await topdog('complete', byHand, '--response', 'by hand')).code).toBe(0);
    expect((await topdog('accept', byHand)).code).toBe(4);
    // Taken at the revision of the answer, after the workflow moved on: 412, nothing taken.
    const outdated = await acceptAnswer(client, byHand, { callId: answered.llm.last_call!.call_id, revision: Number(answered.etag!.replaceAll('"', '')) });
    expect(outdated).toEqual({ accepted: false, exitCode: 4, reason: 'nothing taken: the workflow moved on since the answer' });
    expect(await client.status(byHand)).toMatchObject({ current_state: 'PLANNING', completed_phases: ['DISCOVERY'] });

    // A gated phase: the accepted answer is held for approval; once rejected, it is not there to accept.
    const gated = JSON.parse((await topdog('--json', 'init', '--project', 'p', '--user', 'u', '--model', 'offline', '--approval-required', 'DISCOVERY')).stdout)
      .workflow_id as string;
    expect((await topdog('run', gated)).code).toBe(0);
    const held = await topdog('accept', gated);
    expect(held.code, held.stderr).toBe(0);
    expect(held.stdout).toContain("[DISCOVERY: the model's answer is held for approval]");
    expect((await topdog('reject', gated, '--comment', 'not yet')).code).toBe(0);
    const rejected = await topdog('accept', gated);
    expect(rejected.code).toBe(4);
    expect(await client.status(gated)).toMatchObject({ current_state: 'DISCOVERY', awaiting_approval: null });

    // An answer already waits: run --accept does not ask the model again.
    const waiting = JSON.parse((await topdog('--json', 'init', '--project', 'p', '--user', 'u', '--model', 'offline')).stdout).workflow_id as string;
    expect((await topdog('run', waiting)).code).toBe(0);
    const callsBefore = (await client.status(waiting)).usage.total;
    const twice = await topdog('run', waiting, '--accept');
    expect(twice.code).toBe(4);
    expect(twice.stderr).toContain(`an answer already waits on DISCOVERY: topdog accept ${waiting} takes it`);
    expect((await client.status(waiting)).usage.total).toEqual(callsBefore);

    // --accept is for a phase run by hand.
    const auto = JSON.parse((await topdog('--json', 'init', '--project', 'p', '--user', 'u', '--model', 'offline', '--auto-advance')).stdout)
      .workflow_id as string;
    const refused = await topdog('run', auto, '--accept');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--accept is for a phase run by hand');
  });

  it('a reader that closes the pipe early ends the command quietly', async () => {
    const child = spawn(process.execPath, [TOPDOG_BIN, '--url', system.baseUrl, 'prompts', '--role', 'verifier'], {
      env: { ...process.env, TOPDOG_API_KEY: TEST_ADMIN_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy(); // as `| head -0` would
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('tail follows live events and survives a gateway restart with no gap and no duplicate', async () => {
    const id = JSON.parse((await topdog('--json', 'init', '--project', 'p', '--user', 'u')).stdout).workflow_id as string;
    const child: ChildProcess = spawn(
      process.execPath,
      [
        TOPDOG_BIN,
        '--url',
        system.baseUrl,
        '--api-key',
        TEST_ADMIN_KEY,
        '--json',
        'tail',
        id,
        '--types',
        'WorkflowInitialized,PhaseCompleted,WorkflowCompleted',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const lines = () =>
      out
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { position: number });
    const until = (n: number) => waitFor(`${n} lines from topdog tail`, () => lines().length >= n);
    await until(1);
    await topdog('complete', id, '--response', 'a');
    await until(2);
    await system.kill('gateway', 'SIGKILL');
    await system.start('gateway');
    await system.waitReady();
    for (let i = 1; i < 6; i++) await topdog('complete', id, '--response', `x${i}`);
    const stored = await storedPositions(id);
    await until(stored.length);
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
    expect(err).toContain('reconnecting');
    expect(lines().map((l) => l.position)).toEqual(stored);
  });

  it('replay rebuilds the read models with progress and events/s', async () => {
    const replay = await topdog('replay');
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stderr).toMatch(/\[#+\] 100%/);
    expect(replay.stdout).toMatch(/rebuilt by .*: \d+ events in [\d.]+ s \(\d+ events\/s\)/);
    const json = JSON.parse((await topdog('--json', 'replay')).stdout);
    expect(json.events).toBeGreaterThan(10);
  });
});
