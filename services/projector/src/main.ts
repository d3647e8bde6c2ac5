import { runService, setHeapGrowthPercent } from '@topdog/runtime';
import { ProjectorConfig } from './config';
import { startProjector } from './projector';

void runService('projector', ProjectorConfig, (config, nc, logger, instance) => {
  // The process's, so set here rather than where tests start projectors in their own process.
  setHeapGrowthPercent(config.HEAP_GROWTH_PERCENT);
  return startProjector(config, nc, logger, instance);
});
