// The frameworks' floor of a status read: what the stack our gateway and projector are built on
// costs one with none of our code. NestJS on its Fastify adapter, one controller whose route
// makes one NATS request-reply in Nest's wire format (`{ pattern, data, id }`) to a Nest
// microservice in another process (framework-responder.ts) and answers what a status answer
// carries: the status the projector holds, with the headers every answer of the API has (the
// security headers, an ETag, the rate limit's count), which the client reads too. No
// authentication, validation, hooks, tracing or metrics: beside the bare baseline
// (baseline-server.ts) it shows what the frameworks themselves take, and beside our status what
// our own code does.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Controller, Get, Inject, Module, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { apiSecurityHeaders } from '../../services/gateway/src/http/security-headers';
import { FRAMEWORK_PATTERN, FRAMEWORK_PREFIX } from './baseline-subjects';

const NATS = Symbol('nats');
const encoder = new TextEncoder();
/** A status answer's headers beside the body: the API's security headers, its ETag, the rate limit's count (values as the gateway sends them). */
const HEADERS = { ...apiSecurityHeaders(), 'cache-control': 'no-store', etag: '"0"', 'ratelimit-limit': '100000000', 'ratelimit-remaining': '99999999' };
const data = { workflowId: '0b7c1f9e-3d2a-4e5f-9a8b-7c6d5e4f3a2b', aiResponse: 'x'.repeat(200) };

@Controller()
class RequestController {
  constructor(@Inject(NATS) private readonly nc: NatsConnection) {}

  @Get('request')
  async request(@Res({ passthrough: true }) reply: { headers(values: Record<string, string>): unknown }): Promise<unknown> {
    void reply.headers(HEADERS);
    const packet = encoder.encode(JSON.stringify({ pattern: FRAMEWORK_PATTERN, data, id: randomUUID() }));
    const answer = await this.nc.request(`${FRAMEWORK_PREFIX}.${FRAMEWORK_PATTERN}`, packet, { timeout: 5_000 });
    return answer.json<{ response: unknown }>().response;
  }
}

const nc = await connect({ servers: process.env.NATS_URL, noAsyncTraces: true });

@Module({ controllers: [RequestController], providers: [{ provide: NATS, useValue: nc }] })
class FrameworkModule {}

const app = await NestFactory.create<NestFastifyApplication>(FrameworkModule, new FastifyAdapter({ logger: false }), { logger: false });
await app.listen(Number(process.env.PORT), '127.0.0.1');
process.stdout.write('ready\n');
