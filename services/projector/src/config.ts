import { BaseConfig, intSetting } from '@topdog/runtime';
import * as z from 'zod';

export const ProjectorConfig = BaseConfig.extend({
  /** How long a query waits for read-your-writes or for the catch-up after a start. */
  CONSISTENCY_TIMEOUT_MS: intSetting(2_000, 1, 60_000),
  /** How often changed read models and the checkpoint (the position to resume from) are written to KV. */
  FLUSH_INTERVAL_MS: intSetting(100, 5, 60_000),
  /** Memory for statuses (their JSON) and prompt views, in MiB each; beyond it they are read back from the store. */
  STATUS_CACHE_MB: intSetting(64, 1, 65_536),
  PROMPT_CACHE_MB: intSetting(64, 1, 65_536),
  READ_MODEL_REPLICAS: intSetting(1, 1, 5),
  /**
   * How far the heap may grow past what a full garbage collection kept before the next one, in
   * percent: 0 (V8's own rule, 10% to 300%) or 10 to 1000. A rebuild makes garbage fast; with
   * V8's rule its resident memory rose to about four times what it used.
   */
  HEAP_GROWTH_PERCENT: intSetting(20, 0, 1_000).refine((p) => p === 0 || p >= 10, 'must be 0 (V8 decides) or at least 10'),
  /**
   * With the event store's head ahead, how long the event subscription may deliver nothing
   * before the projector sets it up again from the last applied position.
   */
  PROJECTOR_STALL_MS: intSetting(2_000, 500, 600_000),
  EVENT_STREAM_REPLICAS: intSetting(1, 1, 5),
  /**
   * The orchestrator's role prompt folder (see its config): a workflow started before prompt
   * versions records none, and its prompts are built from these, as the orchestrator builds them.
   */
  PROMPTS_DIR: z.string().min(1).optional(),
});
export type ProjectorConfig = z.infer<typeof ProjectorConfig>;
