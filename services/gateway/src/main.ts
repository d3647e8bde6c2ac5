import { runService } from '@topdog/runtime';
import { GatewayConfig } from './config';
import { startGateway } from './gateway';

void runService('gateway', GatewayConfig, async (config, nc, logger) => {
  const gateway = await startGateway(config, nc, logger);
  logger.info({ url: gateway.url }, 'gateway listening');
  return gateway;
});
