import 'reflect-metadata';
import type { NatsConnection } from '@nats-io/transport-node';
import { NestFactory } from '@nestjs/core';
import type { Logger, Running } from '@topdog/runtime';
import { PinoNestLogger, PrefixedNatsServer } from '@topdog/runtime/nest';
import type { LlmRunnerConfig } from './config';
import { LlmRunnerModule } from './nats/llm-runner.module';

/** Composes the llm-runner: for now it connects and answers readiness over NATS. */
export async function startLlmRunner(config: LlmRunnerConfig, nc: NatsConnection, logger: Logger, instance: string): Promise<Running> {
  const app = await NestFactory.createMicroservice(
    LlmRunnerModule.register({
      health: () => ({ service: 'llm-runner', instanceId: instance, ready: !nc.isClosed(), details: { providers: [] } }),
    }),
    { strategy: new PrefixedNatsServer(nc, config.TOPDOG_PREFIX, 'llm-runner'), logger: new PinoNestLogger(logger) },
  );
  await app.listen();
  await nc.flush();
  return { close: () => app.close() };
}
