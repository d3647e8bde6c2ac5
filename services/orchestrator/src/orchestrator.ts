import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { NestFactory } from '@nestjs/core';
import { JetStreamEventStore } from '@topdog/event-store';
import { loadPromptLibrary } from '@topdog/prompts';
import type { Logger } from '@topdog/runtime';
import { PinoNestLogger, PrefixedNatsServer } from '@topdog/runtime/nest';
import { WorkflowCommandHandler } from './command-handling/workflow-command-handler';
import { createWorkflowCommands } from './command-handling/workflow-commands';
import type { OrchestratorConfig } from './config';
import { OrchestratorModule } from './nats/orchestrator.module';

export interface RunningOrchestrator {
  close(): Promise<void>;
}

/** Composes the orchestrator on a NATS connection and starts serving commands. */
export async function startOrchestrator(
  config: OrchestratorConfig,
  nc: NatsConnection,
  logger: Logger,
  instance: string,
): Promise<RunningOrchestrator> {
  const store = await JetStreamEventStore.create(nc, { prefix: config.TOPDOG_PREFIX, replicas: config.EVENT_STREAM_REPLICAS });
  const handler = new WorkflowCommandHandler({
    store,
    logger,
    newId: randomUUID,
    maxAttempts: config.COMMAND_MAX_ATTEMPTS,
    cacheSize: config.STATE_CACHE_SIZE,
  });
  const commands = createWorkflowCommands(handler, loadPromptLibrary());
  const app = await NestFactory.createMicroservice(
    OrchestratorModule.register({
      logger,
      commands,
      health: () => ({ service: 'orchestrator', instanceId: instance, ready: !nc.isClosed(), details: {} }),
    }),
    { strategy: new PrefixedNatsServer(nc, config.TOPDOG_PREFIX, 'orchestrator'), logger: new PinoNestLogger(logger) },
  );
  await app.listen();
  await nc.flush(); // subscriptions are registered with the server before we report ready
  return {
    async close() {
      await app.close();
      await store.close();
    },
  };
}
