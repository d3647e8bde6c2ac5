// What the guarantees cost one complete-phase and one status, each piece measured alone on the
// messages a real one carries: the work beyond moving the bytes that no implementation may drop
// (authentication, validation, the hash chain, the durable read model). Added to the bare
// command path's CPU, or the NestJS command floor's, it is the floor of the command path with its
// guarantees, bare or on our frameworks (and to the status floors for a status). Measured alone
// (the schemas and hashes in a loop, the write as a stream of puts), each is a lower bound of
// what it costs among a service's other work.
import { createHash, timingSafeEqual } from 'node:crypto';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { CompletePhaseRequest, REQUESTS, WorkflowEnvelope, workflowStreamId, type NewEvent } from '@topdog/contracts';
import { chainEvents, hashOf, sequenceOf } from '@topdog/event-store';
import { TEST_ADMIN_KEY } from '../../test/support/credentials';
import { http, initializeBody } from '../../test/support/http';
import type { System } from '../../test/support/system';
import { cpuPerCall, putCost } from '../support/cpu-cost';

export interface GuaranteeCosts {
  /** CPU µs per complete-phase, by the work a guarantee requires. */
  command: Record<string, number>;
  /** CPU µs per status, likewise. */
  status: Record<string, number>;
}

export const sumOf = (costs: Readonly<Record<string, number>>): number => Object.values(costs).reduce((a, b) => a + b, 0);

/** A request as the gateway sends it over the bus and the answer it gets, seen while `send` runs (Nest's packets: `data`, `response`). */
async function exchange(nc: NatsConnection, subject: string, send: () => Promise<{ status: number }>): Promise<{ request: unknown; reply: unknown }> {
  const seen: Msg[] = [];
  const sub = nc.subscribe('>', { callback: (_err, msg) => void seen.push(msg) });
  await nc.flush();
  const { status } = await send();
  await nc.flush();
  sub.unsubscribe();
  const request = seen.find((m) => m.subject === subject);
  const reply = seen.find((m) => request?.reply && m.subject === request.reply);
  if (status !== 200 || !request || !reply)
    throw new Error(`${subject}: answered ${status}; request ${request ? 'seen' : 'not seen'}, reply ${reply ? 'seen' : 'not seen'}`);
  return { request: request.json<{ data: unknown }>().data, reply: reply.json<{ response: unknown }>().response };
}

export async function measureGuaranteeCosts(system: System): Promise<GuaranteeCosts> {
  const nc = await connect({ servers: system.nats.url, noAsyncTraces: true });
  try {
    const workflowId = (await http(system.baseUrl, 'POST', '/api/ai-workflows/initialize', initializeBody())).body.workflow_id as string;
    const body = { workflow_id: workflowId, ai_response: 'phase output' };
    const command = await exchange(nc, `${system.prefix}.${REQUESTS.completePhase.subject}`, () =>
      http(system.baseUrl, 'POST', '/api/ai-workflows/complete-phase', body),
    );
    const status = await exchange(nc, `${system.prefix}.${REQUESTS.workflowStatus.subject}`, () =>
      http(system.baseUrl, 'GET', `/api/ai-workflows/status/${workflowId}`),
    );
    // The commit the command appended, and its events as the orchestrator has them before it links them to the one before.
    const stored = await (await system.eventStore()).readStream(workflowStreamId(workflowId));
    const commit = stored.filter((e) => sequenceOf(e.position) === sequenceOf(stored.at(-1)!.position));
    const before = stored[stored.length - commit.length - 1]!;
    const unlinked = commit.map(({ streamId: _s, revision: _r, position: _p, metadata, ...event }) => {
      const { prevHash: _h, ...rest } = metadata as Record<string, unknown>;
      return { ...event, metadata: rest };
    }) as unknown as NewEvent[];
    const statusJson = JSON.stringify((status.reply as { value: unknown }).value);

    // Who is calling: the bootstrap admin key's SHA-256 against the one held (an issued key also has its record read).
    const keyDigest = createHash('sha256').update(TEST_ADMIN_KEY).digest();
    const authentication = cpuPerCall(() => timingSafeEqual(createHash('sha256').update(TEST_ADMIN_KEY).digest(), keyDigest));
    return {
      command: {
        authentication,
        'validation: HTTP body': cpuPerCall(() => CompletePhaseRequest.parse(body)),
        'validation: command': cpuPerCall(() => REQUESTS.completePhase.request.parse(command.request)),
        'hash chain': cpuPerCall(() => chainEvents(hashOf(before), workflowStreamId(workflowId), commit[0]!.revision, unlinked)),
        'validation: events': cpuPerCall(() => {
          for (const event of commit) WorkflowEnvelope.parse(event);
        }),
        'validation: reply': cpuPerCall(() => REQUESTS.completePhase.wire.parse(command.reply)),
        'read model write': sumOf(await putCost(nc, system.nats.pid!, statusJson)),
      },
      status: {
        authentication,
        'validation: query': cpuPerCall(() => REQUESTS.workflowStatus.request.parse(status.request)),
        'validation: reply': cpuPerCall(() => REQUESTS.workflowStatus.wire.parse(status.reply)),
      },
    };
  } finally {
    await nc.close();
  }
}
