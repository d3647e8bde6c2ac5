import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { workflowStreamId } from '@topdog/contracts';
import { JetStreamEventStore } from '@topdog/event-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveWorkflows } from './support/load';
import { startSystem, type System } from './support/system';
import { poll } from './support/wait';
import { adminAuth } from './support/credentials';

const CLIENTS = 30;
/** How long the server stays dead. */
const DOWN_MS = 3_000;
/** How soon after the server is back the read side must have applied the stream's head. */
const RESUME_WITHIN_MS = 10_000;

/**
 * nats-server killed (SIGKILL, no goodbye) under load and restarted on the same port and store
 * a few seconds later. The read side must apply again within seconds of the server's return
 * (an ordered consumer once sat ~40 s with messages pending and no pull outstanding, while the
 * projector kept saying it was caught up and every command waited out read-your-writes), and
 * nothing acknowledged may be lost.
 */
describe('nats-server SIGKILL under load', () => {
  let system: System;
  let nc: NatsConnection | undefined;

  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(async () => {
    await nc?.close();
    await system?.[Symbol.asyncDispose]();
  });

  it('the read side applies again within seconds of the server coming back, and nothing acknowledged is lost', async () => {
    const load = driveWorkflows([system.baseUrl], CLIENTS);
    const { sent, acknowledged, unexpected } = load;

    nc = await connect({ servers: system.nats.url, noAsyncTraces: true, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    const store = await JetStreamEventStore.create(nc, { prefix: system.prefix });
    await sleep(2_000);

    const headBeforeKill = await store.headPosition();
    const ackedBeforeKill = sent.length;
    await system.nats.stop('SIGKILL');
    const killedAt = Date.now();
    await sleep(DOWN_MS);
    await system.nats.start();
    const backAt = Date.now();

    const applied = async () => {
      const res = await fetch(`${system.baseUrl}/api/admin/read-models`, { headers: adminAuth(), signal: AbortSignal.timeout(2_000) });
      return ((await res.json()) as { position: number }).position;
    };
    const headAtReturn = await poll('the event store after the restart', () => store.headPosition(), { timeoutMs: RESUME_WITHIN_MS, everyMs: 100 });
    // Back: the projector has applied the head, and the head has moved on since the server returned.
    const resumedAt = await poll(
      'the projector to apply the stream head again',
      async () => {
        const head = await store.headPosition();
        return head > headAtReturn && (await applied()) >= head ? Date.now() : undefined;
      },
      { timeoutMs: RESUME_WITHIN_MS + 2_000, everyMs: 200 },
    );
    const resumeMs = resumedAt - backAt;

    // And it stays live under the load: each time, it has applied the head read a second before.
    const heads: number[] = [];
    const fellBehind: string[] = [];
    for (let i = 0; i < 12; i++) {
      await sleep(250);
      heads.push(await store.headPosition());
      const position = await applied();
      const secondAgo = heads.at(-5);
      if (secondAgo !== undefined && position < secondAgo) fellBehind.push(`${position} < ${secondAgo}`);
    }
    await load.stop(15_000);

    const afterResume = sent.filter((s) => s.startedAt > resumedAt);
    const timedOutAfterResume = afterResume.filter((s) => s.readYourWritesTimeout);
    console.info(`head before the kill ${headBeforeKill} (${ackedBeforeKill} answered), at the return ${headAtReturn}`);
    console.info(
      `nats-server down ${backAt - killedAt} ms; read side applied the head ${resumeMs} ms after its return; ` +
        `${sent.length} commands answered (${sent.filter((s) => s.readYourWritesTimeout).length} past read-your-writes, ` +
        `${timedOutAfterResume.length} of ${afterResume.length} after the resume); ${acknowledged.size} workflows`,
    );
    expect(resumeMs).toBeLessThan(RESUME_WITHIN_MS);
    expect(unexpected).toEqual([]);
    expect(load.gaveUp).toEqual([]);
    expect(afterResume.length).toBeGreaterThan(0);
    expect(timedOutAfterResume).toEqual([]);
    expect(fellBehind).toEqual([]);

    // Nothing acknowledged is lost: each workflow shows at least the phases acknowledged, in its
    // status and in the event store.
    const lost: string[] = [];
    for (const [id, phases] of acknowledged) {
      const res = await fetch(`${system.baseUrl}/api/ai-workflows/status/${id}`, { headers: adminAuth() });
      const status = (await res.json()) as { completed_phases?: string[] };
      if (res.status !== 200 || (status.completed_phases?.length ?? -1) < phases)
        lost.push(`${id}: ${phases} acknowledged, status ${res.status} ${JSON.stringify(status)}`);
      const stored = (await store.readStream(workflowStreamId(id))).filter((e) => e.type === 'PhaseCompleted').length;
      if (stored < phases) lost.push(`${id}: ${phases} acknowledged, ${stored} stored`);
    }
    expect(lost).toEqual([]);
  });
});
