import 'reflect-metadata';
import type { NatsConnection } from '@nats-io/transport-node';
import { NestFactory } from '@nestjs/core';
import { openEventStore } from '@topdog/event-store';
import { createMetricsRegistry, untilJetStreamReady, type Logger, type Running } from '@topdog/runtime';
import { PinoNestLogger, PrefixedNatsServer, type HealthCheck } from '@topdog/runtime/nest';
import type { WebhooksConfig } from './config';
import { DeliverySupervisor } from './delivery/delivery-supervisor';
import { ProjectLookup } from './delivery/project-lookup';
import { WebhooksModule } from './nats/webhooks.module';
import { createWebhooksApi } from './registry/webhooks-api';
import { WebhookStore } from './registry/webhook-store';

/**
 * Composes the webhooks service: the registrations' KV store, one deliverer per webhook (each on
 * its own durable consumer of the event stream), and the registration and health handlers over
 * NATS. The only caller of webhook URLs.
 */
export async function startWebhooks(config: WebhooksConfig, nc: NatsConnection, logger: Logger, instance: string): Promise<Running> {
  if (config.EVENT_STORE !== 'jetstream') {
    // Each webhook is a durable JetStream consumer on the event stream: there is no KurrentDB one yet.
    throw new Error(
      `invalid configuration: EVENT_STORE: webhooks need the JetStream event store, not ${config.EVENT_STORE} (run without the webhooks service)`,
    );
  }
  if (config.WEBHOOK_ALLOW_PRIVATE) logger.warn('WEBHOOK_ALLOW_PRIVATE=true: webhooks may be sent to loopback and private addresses');
  const events = await untilJetStreamReady(
    'opening the event stream',
    () => openEventStore({ kind: 'jetstream' }, nc, { prefix: config.TOPDOG_PREFIX, logger }),
    logger,
  );
  const store = await untilJetStreamReady('opening the webhooks bucket', () => WebhookStore.open(nc, config.TOPDOG_PREFIX, config.WEBHOOKS_REPLICAS), logger);
  const deliveryDeps = {
    nc,
    prefix: config.TOPDOG_PREFIX,
    store,
    projects: new ProjectLookup(events),
    logger,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    retry: { baseMs: config.WEBHOOK_RETRY_BASE_MS, maxMs: config.WEBHOOK_RETRY_MAX_MS, retryForMs: config.WEBHOOK_RETRY_FOR_MS },
    ackWaitMs: config.WEBHOOK_ACK_WAIT_MS,
  };
  const supervisor = new DeliverySupervisor(store, deliveryDeps, config.WEBHOOK_RECONCILE_MS, logger);
  await supervisor.start();
  const api = createWebhooksApi({
    nc,
    prefix: config.TOPDOG_PREFIX,
    store,
    supervisor,
    allowPrivate: config.WEBHOOK_ALLOW_PRIVATE,
    ackWaitMs: config.WEBHOOK_ACK_WAIT_MS,
    maxPerProject: config.WEBHOOK_MAX_PER_PROJECT,
  });
  const metrics = createMetricsRegistry();
  const health: HealthCheck = () => ({ service: 'webhooks', instanceId: instance, ready: !nc.isClosed(), details: { webhooks: supervisor.running } });
  const app = await NestFactory.createMicroservice(WebhooksModule.register({ logger, api, health }), {
    strategy: new PrefixedNatsServer(nc, config.TOPDOG_PREFIX, 'webhooks', { metrics }),
    logger: new PinoNestLogger(logger),
  });
  await app.listen();
  await nc.flush();
  return {
    health,
    metrics,
    async close() {
      await app.close();
      await supervisor.close();
      await events.close();
    },
  };
}
