// What the guarantees cost one complete-phase, each measured alone on the messages a real one
// carries: the work a command does beyond moving its bytes that no implementation may drop
// (validation, authentication, the hash chain, the durable read model). Added to the bare
// command path's CPU, it is the floor of the command path with its guarantees. Measured in a
// hot loop, each is a lower bound of what it costs among a service's other work.
import { createHash, timingSafeEqual } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { CompletePhaseRequest, REQUESTS, WorkflowEnvelope, workflowStreamId, type NewEvent } from '@topdog/contracts';
import { chainEvents } from '@topdog/event-store';
import { TEST_ADMIN_KEY } from '../../test/support/credentials';
import { http, initializeBody } from '../../test/support/http';
import type { System } from '../../test/support/system';
import { cpuSeconds } from '../support/process-cpu';

export interface GuaranteeCosts {
  /** CPU µs per complete-phase, by guarantee. */
  costs: Record<string, number>;
  total: number;
}

const ITERATIONS = 20_000;
const PUTS = 20_000;
const PUTS_IN_FLIGHT = 32;

/** CPU µs per call of `work`, after a warm-up (this process's user and system time). */
function cpuPerCall(work: () => unknown): number {
  for (let i = 0; i < 2_000; i++) work();
  const start = process.cpuUsage();
  for (let i = 0; i < ITERATIONS; i++) work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / ITERATIONS;
}

export async function measureGuaranteeCosts(system: System): Promise<GuaranteeCosts> {
  // One real complete-phase: its HTTP body, the command the gateway sends, the commit it stores
  // and the status the projector writes.
  const nc = await connect({ servers: system.nats.url, noAsyncTraces: true });
  try {
    const workflowId = (await http(system.baseUrl, 'POST', '/api/ai-workflows/initialize', initializeBody())).body.workflow_id as string;
    const body = { workflow_id: workflowId, ai_response: 'phase output' };
    const commands: Uint8Array[] = [];
    const sub = nc.subscribe(`${system.prefix}.${REQUESTS.completePhase.subject}`, { callback: (_err, msg) => void commands.push(msg.data) });
    await nc.flush();
    const answer = await http(system.baseUrl, 'POST', '/api/ai-workflows/complete-phase', body);
    sub.unsubscribe();
    if (answer.status !== 200 || commands.length !== 1) throw new Error(`complete-phase answered ${answer.status}, ${commands.length} commands seen`);
    // On the wire as Nest's NATS transport sends it: the command under `data`.
    const command: unknown = (JSON.parse(new TextDecoder().decode(commands[0])) as { data: unknown }).data;
    const store = await system.eventStore();
    const stored = await store.readStream(workflowStreamId(workflowId));
    const last = stored.at(-1)!;
    const commit = stored.filter((e) => Math.floor(e.position / 1000) === Math.floor(last.position / 1000));
    // The commit's events as the orchestrator has them before it links them.
    const fresh = commit.map(({ streamId: _s, revision: _r, position: _p, metadata, ...event }) => {
      const { prevHash: _h, ...unlinked } = metadata as Record<string, unknown>;
      return { ...event, metadata: unlinked };
    }) as unknown as NewEvent[];
    const statusJson = JSON.stringify((await http(system.baseUrl, 'GET', `/api/ai-workflows/status/${workflowId}`)).body);
    const keyDigest = createHash('sha256').update(TEST_ADMIN_KEY).digest();

    const costs: Record<string, number> = {
      // The gateway: who is calling (the key's SHA-256 against the one held), the body's schema.
      authentication: cpuPerCall(() => timingSafeEqual(createHash('sha256').update(TEST_ADMIN_KEY).digest(), keyDigest)),
      'validation: HTTP body': cpuPerCall(() => CompletePhaseRequest.parse(body)),
      // The orchestrator: the command's schema; tamper evidence for what it appends.
      'validation: command': cpuPerCall(() => REQUESTS.completePhase.request.parse(command)),
      'hash chain': cpuPerCall(() => chainEvents(null, workflowStreamId(workflowId), last.revision, fresh)),
      // The projector: each event's schema as it is read.
      'validation: events': cpuPerCall(() => {
        for (const event of commit) WorkflowEnvelope.parse(event);
      }),
      // The durable read model: the status stored with its ack, client and nats-server.
      'read model write': await putCost(nc, system.nats.pid!, statusJson),
    };
    const total = Object.values(costs).reduce((a, b) => a + b, 0);
    return { costs, total };
  } finally {
    await nc.close();
  }
}

/** CPU µs, this process's and nats-server's, per KV-style put (last value per key, with its ack) of `json`. */
async function putCost(nc: Awaited<ReturnType<typeof connect>>, natsPid: number, json: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'KV_bench_guarantees', subjects: ['$KV.bench_guarantees.>'], max_msgs_per_subject: 1, allow_direct: true });
  const js = jetstream(nc);
  const data = new TextEncoder().encode(json);
  const run = async (n: number) => {
    let next = 0;
    const worker = async () => {
      while (next < n) await js.publish(`$KV.bench_guarantees.status.${next++ % 50_000}`, data);
    };
    await Promise.all(Array.from({ length: PUTS_IN_FLIGHT }, worker));
  };
  await run(2_000);
  const [ours, theirs] = [process.cpuUsage(), cpuSeconds(natsPid)];
  await run(PUTS);
  const used = process.cpuUsage(ours);
  const server = cpuSeconds(natsPid) - theirs;
  await jsm.streams.delete('KV_bench_guarantees');
  return (used.user + used.system + server * 1e6) / PUTS;
}
