import 'reflect-metadata';
import type { NatsConnection } from '@nats-io/transport-node';
import { NestFactory } from '@nestjs/core';
import { PUBLICATIONS } from '@topdog/contracts';
import { LlmCallQueue } from '@topdog/event-store';
import { createMetricsRegistry, publish, untilJetStreamReady, type Logger, type Running } from '@topdog/runtime';
import { PinoNestLogger, PrefixedNatsServer, type HealthCheck } from '@topdog/runtime/nest';
import { CallRunner } from './calls/call-runner';
import { secretsOf, type LlmRunnerConfig } from './config';
import { LlmRunnerModule } from './nats/llm-runner.module';
import { clientsFrom, ProviderRegistry } from './providers/provider-registry';
import { OrchestratorClient } from './queue/orchestrator-client';
import { llmRunnerMetrics } from './observability/llm-runner-metrics';
import { RequestWorker, type CallTiming } from './queue/request-worker';

const percentile = (sorted: number[], p: number): number | null =>
  sorted.length ? Number(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(3)) : null;

/** The runner's own time per call over the last thousand calls, in milliseconds. */
function overheadSummary(timings: readonly CallTiming[]) {
  const before = timings.map((t) => t.beforeMs).sort((a, b) => a - b);
  const after = timings.map((t) => t.afterMs).sort((a, b) => a - b);
  return {
    calls: timings.length,
    requestToProvider: { p50: percentile(before, 0.5), p99: percentile(before, 0.99) },
    providerToRecorded: { p50: percentile(after, 0.5), p99: percentile(after, 0.99) },
  };
}

/**
 * Composes the llm-runner: provider clients from the settings, the call runner, the worker on
 * the shared request queue, and the providers and health handlers over NATS.
 */
export async function startLlmRunner(config: LlmRunnerConfig, nc: NatsConnection, logger: Logger, instance: string): Promise<Running> {
  const registry = new ProviderRegistry(await clientsFrom(config), config, logger);
  registry.start();
  const runner = new CallRunner({
    clientFor: (p) => registry.clientFor(p),
    missingSetting: (p) => registry.missingSetting(p),
    publishDelta: (delta) => publish(nc, config.TOPDOG_PREFIX, PUBLICATIONS.tokenDelta, [delta.workflowId], delta),
    timeoutMs: config.LLM_CALL_TIMEOUT_MS,
    maxAttempts: config.LLM_MAX_ATTEMPTS,
    backoff: { baseMs: config.LLM_RETRY_BASE_MS, maxMs: config.LLM_RETRY_MAX_MS, retryAfterMaxMs: config.LLM_RETRY_AFTER_MAX_MS },
    secrets: secretsOf(config),
    logger,
  });
  const queueOptions = {
    prefix: config.TOPDOG_PREFIX,
    ackWaitMs: config.LLM_REQUEST_ACK_WAIT_MS,
    onUnreadable: (err: Error) => logger.error({ err }, 'a queued call this runner cannot read'),
    keepUnreadableMs: config.LLM_UNSTORED_CALL_GRACE_MS,
  };
  const queue = await untilJetStreamReady(
    'opening the call queue',
    () => LlmCallQueue.open(nc, queueOptions, () => logger.warn('waiting for the call queue: the orchestrator creates it when it starts')),
    logger,
  );
  const timings: CallTiming[] = [];
  const metrics = createMetricsRegistry();
  let running = () => 0;
  const worker = new RequestWorker({
    source: queue,
    runner,
    orchestrator: new OrchestratorClient(nc, config.TOPDOG_PREFIX, config.NATS_REQUEST_TIMEOUT_MS),
    logger,
    concurrency: config.LLM_CONCURRENCY,
    ackWaitMs: config.LLM_REQUEST_ACK_WAIT_MS,
    unstoredGraceMs: config.LLM_UNSTORED_CALL_GRACE_MS,
    onCallTimed: (t) => {
      timings.push(t);
      if (timings.length > 1_000) timings.shift();
    },
    calls: llmRunnerMetrics(metrics, () => running()),
  });
  running = () => worker.running;
  const report = () => ({ instanceId: instance, providers: registry.report() });
  const health: HealthCheck = () => ({
    service: 'llm-runner',
    instanceId: instance,
    ready: !nc.isClosed(),
    details: { providers: registry.report(), runningCalls: worker.running, overhead: overheadSummary(timings) },
  });
  const app = await NestFactory.createMicroservice(LlmRunnerModule.register({ logger, providers: report, health }), {
    strategy: new PrefixedNatsServer(nc, config.TOPDOG_PREFIX, 'llm-runner', { metrics }),
    logger: new PinoNestLogger(logger),
  });
  await app.listen();
  await nc.flush();
  worker.start();
  return {
    health,
    metrics,
    async close() {
      registry.stop();
      await worker.stop();
      await queue.close();
      await app.close();
    },
  };
}
