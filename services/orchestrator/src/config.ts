import { BaseConfig, intSetting } from '@topdog/runtime';
import type { z } from 'zod';

export const OrchestratorConfig = BaseConfig.extend({
  /** Attempts per command when another orchestrator instance wrote first. */
  COMMAND_MAX_ATTEMPTS: intSetting(5, 1, 50),
  /** Workflows whose state is kept in memory with its revision. */
  STATE_CACHE_SIZE: intSetting(50_000, 1),
  EVENT_STREAM_REPLICAS: intSetting(1, 1, 5),
  /** Times an auto-advanced answer that misses its phase's schema is asked again. */
  MAX_OUTPUT_REPAIRS: intSetting(2, 0, 10),
});
export type OrchestratorConfig = z.infer<typeof OrchestratorConfig>;
