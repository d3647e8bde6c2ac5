import 'reflect-metadata';
import type { NatsConnection } from '@nats-io/transport-node';
import { NestFactory } from '@nestjs/core';
import { PUBLICATIONS } from '@topdog/contracts';
import { eventStoreChoice, openEventStore } from '@topdog/event-store';
import { loadPromptLibrary } from '@topdog/prompts';
import { createMetricsRegistry, publish, subscribe, untilJetStreamReady, type Logger, type Registry } from '@topdog/runtime';
import { PinoNestLogger, PrefixedNatsServer, type HealthCheck } from '@topdog/runtime/nest';
import type { ProjectorConfig } from './config';
import { ProjectorModule } from './nats/projector.module';
import { createProjectorQueries } from './projection/projector-queries';
import { projectorMetrics, statusReadsCounter } from './observability/projector-metrics';
import { ReadModelStore } from './projection/read-model-store';
import { WorkflowProjection } from './projection/workflow-projection';

export interface RunningProjector {
  projection: WorkflowProjection;
  health: HealthCheck;
  metrics: Registry;
  close(): Promise<void>;
}

/** Composes the projector on a NATS connection: the projection loop and its queries. */
export async function startProjector(config: ProjectorConfig, nc: NatsConnection, logger: Logger, instance: string): Promise<RunningProjector> {
  const events = await untilJetStreamReady(
    'opening the event stream',
    () => openEventStore(eventStoreChoice(config), nc, { prefix: config.TOPDOG_PREFIX, logger }),
    logger,
  );
  const metrics = createMetricsRegistry();
  const readModels = {
    prefix: config.TOPDOG_PREFIX,
    replicas: config.READ_MODEL_REPLICAS,
    cacheBytes: config.STATUS_CACHE_MB * 2 ** 20,
    countRead: statusReadsCounter(metrics),
  };
  const store = await untilJetStreamReady('opening the read models', () => ReadModelStore.open(nc, readModels), logger);
  const projection = new WorkflowProjection({
    events,
    store,
    logger,
    instanceId: instance,
    flushIntervalMs: config.FLUSH_INTERVAL_MS,
    promptCacheBytes: config.PROMPT_CACHE_MB * 2 ** 20,
    stallMs: config.PROJECTOR_STALL_MS,
    publishApplied: (applied) => publish(nc, config.TOPDOG_PREFIX, PUBLICATIONS.projectorApplied, [], applied),
  });
  // Safe to repeat: it reads the checkpoint and stored statuses, and starts its loop only once the store's head is read.
  await untilJetStreamReady('starting the projection', () => projection.start(), logger);
  projectorMetrics(metrics, { progress: () => projection.progress(), head: () => events.headPosition() });
  const queries = createProjectorQueries({
    projection,
    store,
    events,
    prompts: loadPromptLibrary(config.PROMPTS_DIR),
    consistencyTimeoutMs: config.CONSISTENCY_TIMEOUT_MS,
  });
  const health: HealthCheck = () => ({
    service: 'projector',
    instanceId: instance,
    ready: projection.caughtUp,
    details: { position: projection.tracker.position, caughtUp: projection.caughtUp },
  });
  const app = await NestFactory.createMicroservice(ProjectorModule.register({ logger, queries, projection, health }), {
    strategy: new PrefixedNatsServer(nc, config.TOPDOG_PREFIX, 'projector', { metrics }),
    logger: new PinoNestLogger(logger),
  });
  await app.listen();
  // An orchestrator about to read a workflow it does not hold says so: its status is read meanwhile.
  const warmUps = subscribe(nc, config.TOPDOG_PREFIX, PUBLICATIONS.warmWorkflowStatus, [], ({ workflowId }) => void store.warm(workflowId));
  await nc.flush(); // subscriptions are registered with the server before we report ready
  return {
    projection,
    health,
    metrics,
    async close() {
      warmUps.unsubscribe();
      await app.close();
      await projection.stop();
    },
  };
}
