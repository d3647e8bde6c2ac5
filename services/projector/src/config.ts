import { BaseConfig, intSetting } from '@topdog/runtime';
import type { z } from 'zod';

export const ProjectorConfig = BaseConfig.extend({
  /** How long a query waits for read-your-writes or for the catch-up after a start. */
  CONSISTENCY_TIMEOUT_MS: intSetting(2_000, 1, 60_000),
  /** How often changed read models and the checkpoint are written to KV. */
  FLUSH_INTERVAL_MS: intSetting(100, 5, 60_000),
  STATUS_CACHE_SIZE: intSetting(20_000, 1),
  PROMPT_CACHE_SIZE: intSetting(2_000, 1),
  READ_MODEL_REPLICAS: intSetting(1, 1, 5),
  EVENT_STREAM_REPLICAS: intSetting(1, 1, 5),
});
export type ProjectorConfig = z.infer<typeof ProjectorConfig>;
