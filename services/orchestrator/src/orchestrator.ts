import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { NestFactory } from '@nestjs/core';
import { PUBLICATIONS } from '@topdog/contracts';
import { eventStoreChoice, LlmCallPublisher, LlmCallQueue, openEventStore, requeueFormerCallQueue, type EventStore } from '@topdog/event-store';
import { loadPromptLibrary } from '@topdog/prompts';
import { createMetricsRegistry, publish, traceparentOf, untilJetStreamReady, type Logger, type Registry } from '@topdog/runtime';
import { PinoNestLogger, PrefixedNatsServer, type HealthCheck } from '@topdog/runtime/nest';
import { knownPrompts } from './command-handling/state-snapshot';
import { WorkflowCommandHandler } from './command-handling/workflow-command-handler';
import { createWorkflowCommands } from './command-handling/workflow-commands';
import type { OrchestratorConfig } from './config';
import { OrchestratorModule } from './nats/orchestrator.module';
import { ProviderDirectory } from './llm/provider-directory';
import { measuredEventStore, snapshotReadsCounter } from './observability/measured-event-store';

export interface RunningOrchestrator {
  health: HealthCheck;
  metrics: Registry;
  close(): Promise<void>;
}

/** The store with its snapshots left out (SNAPSHOT_INTERVAL_MS=0): every cold command folds the events. */
const withoutSnapshots = (store: EventStore): EventStore => ({
  appendToStream: (streamId, events, options) => store.appendToStream(streamId, events, options),
  readStream: (streamId, options) => store.readStream(streamId, options),
  subscribeToAll: (options) => store.subscribeToAll(options),
  headPosition: () => store.headPosition(),
  close: () => store.close(),
});

/** Composes the orchestrator on a NATS connection and starts serving commands. */
export async function startOrchestrator(config: OrchestratorConfig, nc: NatsConnection, logger: Logger, instance: string): Promise<RunningOrchestrator> {
  const choice = eventStoreChoice(config);
  // A snapshot is written at the tip the store remembers (read again where it has forgotten it): it remembers at least as many as the state cache holds.
  const writer = { prefix: config.TOPDOG_PREFIX, writer: { replicas: config.EVENT_STREAM_REPLICAS, tipCacheSize: Math.max(100_000, config.STATE_CACHE_SIZE) } };
  const store = await untilJetStreamReady('creating the event stream', () => openEventStore(choice, nc, writer), logger);
  // The llm-runners' call queue must exist before the first call is requested, or it would be lost.
  await untilJetStreamReady(
    'creating the call queue',
    () => LlmCallQueue.ensure(nc, { prefix: config.TOPDOG_PREFIX, replicas: config.EVENT_STREAM_REPLICAS }),
    logger,
  );
  const calls = new LlmCallPublisher(nc, config.TOPDOG_PREFIX);
  if (choice.kind === 'jetstream') {
    const requeued = await untilJetStreamReady(
      'moving call requests to the call queue',
      () =>
        requeueFormerCallQueue(
          nc,
          config.TOPDOG_PREFIX,
          (c) => calls.enqueue(c),
          (seq, err) =>
            logger.warn({ seq, err }, 'a message on the event stream that is not a commit this version reads: skipped by the move to the call queue'),
        ),
      logger,
    );
    if (requeued > 0)
      logger.info({ requeued }, "call requests left on the llm-runners' former queue on the event stream queued again; that consumer is deleted");
  }
  const metrics = createMetricsRegistry();
  const prompts = loadPromptLibrary(config.PROMPTS_DIR);
  logger.info({ promptsDir: config.PROMPTS_DIR ?? 'bundled', versions: Object.values(prompts).map((p) => p.version) }, 'role prompts loaded');
  const handler = new WorkflowCommandHandler({
    store: measuredEventStore(config.SNAPSHOT_INTERVAL_MS > 0 ? store : withoutSnapshots(store), metrics),
    snapshotEveryMs: config.SNAPSHOT_INTERVAL_MS,
    snapshotAfterEvents: config.SNAPSHOT_AFTER_EVENTS,
    knownPrompts: knownPrompts(Object.values(prompts)),
    snapshotRead: snapshotReadsCounter(metrics),
    calls,
    traceparent: () => traceparentOf(),
    logger,
    newId: randomUUID,
    maxAttempts: config.COMMAND_MAX_ATTEMPTS,
    cacheSize: config.STATE_CACHE_SIZE,
    warmUp: (workflowId) => publish(nc, config.TOPDOG_PREFIX, PUBLICATIONS.warmWorkflowStatus, [], { workflowId }),
  });
  const providers = new ProviderDirectory(nc, config.TOPDOG_PREFIX, logger);
  void providers.current(); // known before the first decision that does not wait for it
  const commands = createWorkflowCommands({
    handler,
    prompts,
    maxRepairs: config.MAX_OUTPUT_REPAIRS,
    providers,
    approvalRequired: config.APPROVAL_REQUIRED,
  });
  const health: HealthCheck = () => ({ service: 'orchestrator', instanceId: instance, ready: !nc.isClosed(), details: {} });
  const app = await NestFactory.createMicroservice(OrchestratorModule.register({ logger, commands, health }), {
    strategy: new PrefixedNatsServer(nc, config.TOPDOG_PREFIX, 'orchestrator', { metrics }),
    logger: new PinoNestLogger(logger),
  });
  await app.listen();
  await nc.flush(); // subscriptions are registered with the server before we report ready
  return {
    health,
    metrics,
    async close() {
      await app.close();
      await handler.close();
      await store.close();
    },
  };
}
