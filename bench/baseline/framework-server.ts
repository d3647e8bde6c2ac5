// The NestJS floors: what the stack our services are built on costs a status read and a command,
// with none of the endpoints' own work. NestJS on its Fastify adapter, one controller whose routes
// send one message over NATS in Nest's wire format (`{ pattern, data, id }`) to a Nest
// microservice in another process (framework-responder.ts) and answer with the headers every
// answer of the API has (the security headers, an ETag, the rate limit's count), which the client
// reads too. No authentication, validation, hooks, tracing, metrics or mapping.
// - GET /request, the status floor: a query, answered with a workflow's status. Beside the bare
//   request-reply (baseline-server.ts, which echoes 260 bytes with two headers) it shows what the
//   frameworks and the bigger answer cost; beside our status, what the gateway's and the
//   projector's own work does.
// - POST /command, the command floor: the bare command path's hops (a command to the writer, which
//   publishes it with its ack and replies with the position; the answer once the bare reader has
//   read that far, as the gateway waits for the projector) through the frameworks our gateway and
//   orchestrator use, answered with a complete-phase's answer. The reader stays bare: the
//   projector reads the store without Nest.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Controller, Get, HttpCode, Inject, Module, Post, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ALL_PROJECTS, type CompletePhaseResponse } from '@topdog/contracts';
import { apiAnswerHeaders } from '../../services/gateway/src/http/security-headers';
import { followApplied } from './applied-position';
import { FRAMEWORK_COMMAND_PATTERN, FRAMEWORK_PREFIX, FRAMEWORK_STATUS_PATTERN, PAYLOAD } from './baseline-subjects';

const NATS = Symbol('nats');
const encoder = new TextEncoder();
/** A status answer's headers beside its body, as the gateway sends them: the API's, an ETag, the rate limit's count (the bench's limit). */
const limit = process.env.RATE_LIMIT_PER_MINUTE ?? '100000000';
const HEADERS = { ...apiAnswerHeaders(), etag: '"0"', 'ratelimit-limit': limit, 'ratelimit-remaining': String(Number(limit) - 1) };
/** A status query as the gateway sends one. */
const query = { workflowId: PAYLOAD.workflowId, projects: [ALL_PROJECTS] };
/** A complete-phase's answer. */
const TRANSITION: CompletePhaseResponse = {
  workflow_id: query.workflowId,
  previous_state: 'DISCOVERY',
  new_state: 'PLANNING',
  next_role: 'Q_ASSISTANT',
  next_action: 'Q_ASSISTANT should now work on PLANNING',
  is_complete: false,
  awaiting_approval: false,
};
type Reply = { headers(values: Record<string, string>): unknown };

@Controller()
class FloorController {
  private readonly reader: ReturnType<typeof followApplied>;

  constructor(@Inject(NATS) private readonly nc: NatsConnection) {
    this.reader = followApplied(nc);
  }

  @Get('request')
  async request(@Res({ passthrough: true }) reply: Reply): Promise<unknown> {
    void reply.headers(HEADERS);
    return this.send(FRAMEWORK_STATUS_PATTERN, query);
  }

  /** The body is parsed (by Fastify, as the gateway's is); the command sent is the bare path's, so that both store the same. */
  @Post('command')
  @HttpCode(200)
  async command(@Res({ passthrough: true }) reply: Reply): Promise<CompletePhaseResponse> {
    const seq = await this.send(FRAMEWORK_COMMAND_PATTERN, PAYLOAD);
    if (typeof seq !== 'number') throw new Error(`the writer answered ${JSON.stringify(seq)}`);
    await this.reader.readUpTo(seq);
    void reply.headers(HEADERS);
    return TRANSITION;
  }

  /** One request in Nest's wire format; Nest's answer's `response`. */
  private async send(pattern: string, data: unknown): Promise<unknown> {
    const packet = encoder.encode(JSON.stringify({ pattern, data, id: randomUUID() }));
    const answer = await this.nc.request(`${FRAMEWORK_PREFIX}.${pattern}`, packet, { timeout: 5_000 });
    return answer.json<{ response: unknown }>().response;
  }
}

const nc = await connect({ servers: process.env.NATS_URL, noAsyncTraces: true });

@Module({ controllers: [FloorController], providers: [{ provide: NATS, useValue: nc }] })
class FrameworkModule {}

const app = await NestFactory.create<NestFastifyApplication>(FrameworkModule, new FastifyAdapter({ logger: false }), { logger: false });
await app.listen(Number(process.env.PORT), '127.0.0.1');
process.stdout.write('ready\n');
