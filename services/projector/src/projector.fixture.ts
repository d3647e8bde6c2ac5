import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { createLogger, parseConfig } from '@topdog/runtime';
import { OrchestratorConfig } from '../../orchestrator/src/config';
import { startOrchestrator } from '../../orchestrator/src/orchestrator';
import { ProjectorConfig } from './config';
import { startProjector, type RunningProjector } from './projector';

/** For the projector's int tests: services on a test nats-server, each on its own connection, silent. */
const logger = createLogger('projector', 'silent', 'test');

/** A started service and how to stop it (the service, then its connection). */
export interface Started<T> {
  running: T;
  close: () => Promise<void>;
}

/** An orchestrator writing the events the projector applies. */
export async function startTestOrchestrator(url: string, prefix: string): Promise<Started<unknown>> {
  const conn = await connect({ servers: url, noAsyncTraces: true });
  const running = await startOrchestrator(parseConfig(OrchestratorConfig, { NATS_URL: url, TOPDOG_PREFIX: prefix }), conn, logger, 'orch');
  return {
    running,
    close: async () => {
      await running.close();
      await conn.close();
    },
  };
}

/** A projector instance flushing every 20 ms. */
export async function startTestProjector(url: string, prefix: string): Promise<Started<RunningProjector>> {
  const conn = await connect({ servers: url, noAsyncTraces: true });
  const config = parseConfig(ProjectorConfig, { NATS_URL: url, TOPDOG_PREFIX: prefix, FLUSH_INTERVAL_MS: '20' });
  const running = await startProjector(config, conn, logger, `proj-${randomUUID().slice(0, 4)}`);
  return {
    running,
    close: async () => {
      await running.close();
      await conn.close();
    },
  };
}
