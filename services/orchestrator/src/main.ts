import { connectNats, createLogger, exitOnStartFailure, instanceId, onShutdown, parseConfig, type Logger } from '@topdog/runtime';
import { OrchestratorConfig } from './config';
import { startOrchestrator } from './orchestrator';

/** Entry point: settings, logger, NATS, then the orchestrator until a signal stops it. */
async function main(): Promise<void> {
  let logger: Logger | undefined;
  try {
    const config = parseConfig(OrchestratorConfig);
    const instance = instanceId('orchestrator', config.INSTANCE_ID);
    const log = (logger = createLogger('orchestrator', config.LOG_LEVEL, instance));
    const nc = await connectNats(config.NATS_URL, instance, log);
    const running = await startOrchestrator(config, nc, log, instance);
    log.info({ prefix: config.TOPDOG_PREFIX }, 'orchestrator ready');
    onShutdown(log, async () => {
      await running.close();
      await nc.drain();
      log.info('stopped');
    });
  } catch (err) {
    exitOnStartFailure(logger, err);
  }
}

void main();
