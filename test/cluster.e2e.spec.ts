import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { eventStreamName, PHASES, readModelBucket, workflowStreamId } from '@topdog/contracts';
import { POSITION_STRIDE, type JetStreamEventStore } from '@topdog/event-store';
import type { NatsServerFixture } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuth } from './support/credentials';
import { driveWorkflows } from './support/load';
import { startSystem, type System } from './support/system';
import { poll } from './support/wait';

/** Workflows driven at once. */
const CLIENTS = 100;
/** How long a killed node stays dead. */
const DOWN_MS = 5_000;

/**
 * A three-node JetStream cluster (the event stream and the read models' buckets with three
 * replicas), every service given all three URLs, under load from a hundred clients: the node
 * that leads the event stream is SIGKILLed and restarted, then a follower's. Nothing
 * acknowledged may be lost or doubled, nothing may answer 500, and the read side must follow
 * the write side within seconds.
 */
describe('a three-node NATS cluster', () => {
  let system: System;
  let nc: NatsConnection;
  let store: JetStreamEventStore;

  beforeAll(async () => {
    system = await startSystem({}, { cluster: true });
    nc = await connect({ servers: system.natsUrl.split(','), noAsyncTraces: true, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    store = await system.eventStore();
  });
  afterAll(async () => {
    await nc?.close();
    await system?.[Symbol.asyncDispose]();
  });

  /**
   * The event stream's leader and a follower, by node, and what else the follower leads. The
   * follower is one that leads neither the read models' bucket nor the JetStream meta group where
   * there is one: the bucket's leader holds up status writes until the bucket elects again, and
   * the meta leader the projector's new consumer (its ordered consumer on the killed node is gone
   * with it) until the meta group elects again, each 4-10 s on nats-server 2.9, which is not what
   * a follower's kill is about. Nor, where it can be, the node the projector is connected to, or
   * the one holding its subscription (an ordered consumer lives on one node): the projector then
   * waits for its watchdog to set the subscription up again (about 6 s).
   */
  async function streamNodes(): Promise<{ leader: NatsServerFixture; leaderLeads: string[]; follower: NatsServerFixture; followerLeads: string[] }> {
    const jsm = await jetstreamManager(nc);
    const cluster = await poll('the event stream to have a leader', async () => (await jsm.streams.info(eventStreamName(system.prefix))).cluster, {
      timeoutMs: 30_000,
    });
    const leader = system.cluster!.node(cluster.leader!);
    const bucketLeader = (await jsm.streams.info(`KV_${readModelBucket(system.prefix)}`)).cluster?.leader;
    const metaLeader = await system.cluster!.metaLeader();
    const projectorOn = await nodeServing('projector');
    // The projector's subscription: an ordered consumer (ephemeral, the only one on the stream here), held by one node.
    const subscriptionOn = new Set<string>();
    for await (const consumer of jsm.consumers.list(eventStreamName(system.prefix))) {
      if (!consumer.config.durable_name && consumer.cluster?.leader) subscriptionOn.add(consumer.cluster.leader);
    }
    const leads = (name: string) => [
      ...(name === bucketLeader ? ['the read models'] : []),
      ...(name === metaLeader ? ['the meta group'] : []),
      ...(name === projectorOn ? ["the projector's connection"] : []),
      ...(subscriptionOn.has(name) ? ["the projector's subscription"] : []),
    ];
    const followers = cluster.replicas!.filter((r) => !r.offline).map((r) => r.name);
    const name = followers.find((n) => leads(n).length === 0) ?? followers.find((n) => n !== bucketLeader) ?? followers[0]!;
    return { leader, leaderLeads: leads(leader.name), follower: system.cluster!.node(name), followerLeads: leads(name) };
  }

  /** The node a service's connection is on, as the nodes' /connz say (by its bus user). */
  async function nodeServing(user: string): Promise<string | undefined> {
    for (const node of system.cluster!.nodes) {
      if (node.pid === undefined || !node.monitorUrl) continue;
      const connz = (await (await fetch(`${node.monitorUrl}/connz?auth=true`, { signal: AbortSignal.timeout(2_000) })).json().catch(() => ({}))) as {
        connections?: { authorized_user?: string }[];
      };
      if (connz.connections?.some((c) => c.authorized_user === user)) return node.name;
    }
    return undefined;
  }

  /** Where the read side is (the projector's applied position). */
  const applied = async () => {
    const res = await fetch(`${system.baseUrl}/api/admin/read-models`, { headers: adminAuth(), signal: AbortSignal.timeout(2_000) });
    return ((await res.json()) as { position: number }).position;
  };

  /**
   * Kills a node and restarts it after DOWN_MS. The write side is back when the stream's head has
   * moved past every append that may have been in flight at the kill (one a client); the read
   * side, when the projector has applied that head.
   */
  async function killAndRestart(node: NatsServerFixture) {
    const before = await store.headPosition();
    await node.stop('SIGKILL');
    const killedAt = Date.now();
    const restarted = sleep(DOWN_MS).then(() => node.start());
    const past = before + (CLIENTS + 1) * POSITION_STRIDE;
    const writeBackAt = await poll('the write side after the kill', async () => ((await store.headPosition()) > past ? Date.now() : undefined), {
      timeoutMs: 30_000,
      everyMs: 100,
    });
    const head = await store.headPosition();
    const readBackAt = await poll('the read side to apply the head', async () => ((await applied()) >= head ? Date.now() : undefined), {
      timeoutMs: 30_000,
      everyMs: 100,
    });
    await restarted;
    return { writeMs: writeBackAt - killedAt, readMs: readBackAt - killedAt };
  }

  it('loses and doubles nothing acknowledged, answers 503 (never 500) while it elects, and the read side follows within seconds', async () => {
    const load = driveWorkflows(system.baseUrls, CLIENTS);
    await poll('the load to be under way', () => (load.completed() >= 20 ? true : undefined), { timeoutMs: 60_000, everyMs: 200 });

    const first = await streamNodes();
    const leaderKill = await killAndRestart(first.leader);
    await sleep(2_000);
    const second = await streamNodes();
    const followerKill = await killAndRestart(second.follower);
    await sleep(2_000);
    await load.stop(30_000);

    // A 503, or no answer at all (status 0: the client's own 10 s limit, or a dropped connection).
    const unavailable = load.sent
      .filter((s) => s.status === 503 || s.status === 0)
      .map((s) => s.answeredAt - s.startedAt)
      .sort((a, b) => a - b);
    const statuses = new Map<number, number>();
    for (const s of load.sent) statuses.set(s.status, (statuses.get(s.status) ?? 0) + 1);
    console.info(
      `cluster: ${load.sent.length} answers ${JSON.stringify(Object.fromEntries(statuses))}; ${load.acknowledged.size} workflows, ${load.completed()} complete; ` +
        `leader ${first.leader.name}${first.leaderLeads.length ? ` (also leading ${first.leaderLeads.join(' and ')})` : ''} killed: writes back after ${leaderKill.writeMs} ms, reads after ${leaderKill.readMs} ms; ` +
        `follower ${second.follower.name}${second.followerLeads.length ? ` (leading ${second.followerLeads.join(' and ')})` : ''} killed: writes back after ${followerKill.writeMs} ms, reads after ${followerKill.readMs} ms; ` +
        `503s answered in p50 ${unavailable[Math.floor(unavailable.length / 2)]} ms, max ${unavailable.at(-1)} ms`,
    );
    expect(load.unexpected).toEqual([]);
    // No client gave up on a command: none kept getting 503 until its retries ran out (no workflow stuck).
    expect(load.gaveUp).toEqual([]);
    expect(load.sent.filter((s) => s.status >= 500 && s.status !== 503)).toEqual([]);
    // A 503 comes at once, or at the latest when the gateway stops waiting (NATS_REQUEST_TIMEOUT_MS,
    // 5 s: a request in flight to a service whose node died is lost with it), as the client sees
    // it: with the scheduling delay of two cores running three servers, five services and a
    // hundred clients (up to about 2 s: one CI run saw a 503 after 6.6 s), never the client's own 10 s limit.
    expect(unavailable.at(-1) ?? 0).toBeLessThan(7_000);
    // The read side follows within seconds of the writes' return, unless the node killed also led
    // the read models' bucket or the meta group (then it waits for that group's election too), or
    // held the projector's connection or subscription (then it waits for its watchdog).
    // (The follower is chosen to lead neither where one does; with three nodes one may not.)
    expect(leaderKill.readMs - leaderKill.writeMs).toBeLessThan(first.leaderLeads.length === 0 ? 5_000 : 20_000);
    expect(followerKill.readMs - followerKill.writeMs).toBeLessThan(second.followerLeads.length === 0 ? 5_000 : 20_000);

    // Every acknowledged command is stored exactly once, and the read models show what is stored.
    const head = await store.headPosition();
    await poll('the read side to apply everything', async () => ((await applied()) >= head ? true : undefined), { timeoutMs: 30_000 });
    const wrong: string[] = [];
    for (const [id, phases] of load.acknowledged) {
      const events = await store.readStream(workflowStreamId(id));
      const completedPhases = events.filter((e) => e.type === 'PhaseCompleted').map((e) => (e.data as { phase: string }).phase);
      if (events.filter((e) => e.type === 'WorkflowInitialized').length !== 1) wrong.push(`${id}: not one WorkflowInitialized`);
      if (new Set(completedPhases).size !== completedPhases.length) wrong.push(`${id}: a phase stored twice: ${completedPhases.join(',')}`);
      if (completedPhases.length < phases) wrong.push(`${id}: ${phases} acknowledged, ${completedPhases.length} stored`);
      const res = await fetch(`${system.baseUrl}/api/ai-workflows/status/${id}`, { headers: adminAuth() });
      const status = (await res.json()) as { completed_phases: string[]; current_state: string };
      if (JSON.stringify(status.completed_phases) !== JSON.stringify(completedPhases)) {
        wrong.push(`${id}: status shows ${status.completed_phases.join(',')}, the store ${completedPhases.join(',')}`);
      }
      if (completedPhases.length === PHASES.length && status.current_state !== 'COMPLETE') wrong.push(`${id}: status ${status.current_state}`);
    }
    expect(wrong).toEqual([]);
    expect(load.acknowledged.size).toBeGreaterThanOrEqual(CLIENTS);
  });
});
