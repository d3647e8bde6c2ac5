// The framework's floor's NATS side: a Nest microservice on Nest's NATS transport, as our
// services run it (PrefixedNatsServer on a connection of its own, without metrics or tracing),
// echoing each request's data. See framework-server.ts.
import 'reflect-metadata';
import { connect } from '@nats-io/transport-node';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { PrefixedNatsServer } from '@topdog/runtime/nest';
import { FRAMEWORK_PATTERN, FRAMEWORK_PREFIX } from './baseline-subjects';

@Controller()
class EchoController {
  @MessagePattern(FRAMEWORK_PATTERN)
  echo(@Payload() data: unknown): unknown {
    return data;
  }
}

@Module({ controllers: [EchoController] })
class ResponderModule {}

const nc = await connect({ servers: process.env.NATS_URL, noAsyncTraces: true });
const app = await NestFactory.createMicroservice(ResponderModule, { strategy: new PrefixedNatsServer(nc, FRAMEWORK_PREFIX, 'framework'), logger: false });
await app.listen();
await nc.flush();
process.stdout.write('ready\n');
