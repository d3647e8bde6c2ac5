// The NestJS status floor: what the stack our gateway and projector are built on costs a status
// read, with none of the endpoint's own work. NestJS on its Fastify adapter, one controller whose
// route sends one query over NATS in Nest's wire format (`{ pattern, data, id }`) to a Nest
// microservice in another process (framework-responder.ts) and answers what a status answer
// carries: the status, and the headers every answer of the API has (the security headers, an
// ETag, the rate limit's count), which the client reads too. No authentication, validation,
// hooks, tracing, metrics or mapping. Beside the bare request-reply (baseline-server.ts, which
// echoes 260 bytes with two headers) it shows what the frameworks and the bigger answer cost;
// beside our status, what the gateway's and the projector's own work does.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Controller, Get, Inject, Module, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ALL_PROJECTS } from '@topdog/contracts';
import { apiAnswerHeaders } from '../../services/gateway/src/http/security-headers';
import { FRAMEWORK_PATTERN, FRAMEWORK_PREFIX } from './baseline-subjects';

const NATS = Symbol('nats');
const encoder = new TextEncoder();
/** A status answer's headers beside its body, as the gateway sends them: the API's, an ETag, the rate limit's count (the bench's limit). */
const limit = process.env.RATE_LIMIT_PER_MINUTE ?? '100000000';
const HEADERS = { ...apiAnswerHeaders(), etag: '"0"', 'ratelimit-limit': limit, 'ratelimit-remaining': String(Number(limit) - 1) };
/** A status query as the gateway sends one. */
const query = { workflowId: '0b7c1f9e-3d2a-4e5f-9a8b-7c6d5e4f3a2b', projects: [ALL_PROJECTS] };

@Controller()
class StatusController {
  constructor(@Inject(NATS) private readonly nc: NatsConnection) {}

  @Get('request')
  async request(@Res({ passthrough: true }) reply: { headers(values: Record<string, string>): unknown }): Promise<unknown> {
    void reply.headers(HEADERS);
    const packet = encoder.encode(JSON.stringify({ pattern: FRAMEWORK_PATTERN, data: query, id: randomUUID() }));
    const answer = await this.nc.request(`${FRAMEWORK_PREFIX}.${FRAMEWORK_PATTERN}`, packet, { timeout: 5_000 });
    return answer.json<{ response: unknown }>().response;
  }
}

const nc = await connect({ servers: process.env.NATS_URL, noAsyncTraces: true });

@Module({ controllers: [StatusController], providers: [{ provide: NATS, useValue: nc }] })
class FrameworkModule {}

const app = await NestFactory.create<NestFastifyApplication>(FrameworkModule, new FastifyAdapter({ logger: false }), { logger: false });
await app.listen(Number(process.env.PORT), '127.0.0.1');
process.stdout.write('ready\n');
