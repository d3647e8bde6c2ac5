import { PHASES, type Phase } from '@topdog/contracts';
import { BaseConfig, intSetting } from '@topdog/runtime';
import * as z from 'zod';

/** A comma-separated list of phases (empty: none), each at most once. */
const phaseList = z
  .string()
  .default('')
  .transform((value, ctx): Phase[] => {
    const names = value
      .split(',')
      .map((n) => n.trim().toUpperCase())
      .filter((n) => n !== '');
    const unknown = names.filter((n) => !(PHASES as readonly string[]).includes(n));
    if (unknown.length > 0) {
      ctx.addIssue({ code: 'custom', message: `not a phase: ${unknown.join(', ')} (phases: ${PHASES.join(', ')})` });
      return z.NEVER;
    }
    return [...new Set(names)] as Phase[];
  });

export const OrchestratorConfig = BaseConfig.extend({
  /** Attempts per command when another orchestrator instance wrote first. */
  COMMAND_MAX_ATTEMPTS: intSetting(5, 1, 50),
  /** Workflows whose state is kept in memory with its revision. */
  STATE_CACHE_SIZE: intSetting(50_000, 1),
  EVENT_STREAM_REPLICAS: intSetting(1, 1, 5),
  /**
   * How often the snapshots due are written, in ms (see `command-handling/state-snapshots.ts`);
   * 0 turns snapshots off: none written, none read.
   */
  SNAPSHOT_INTERVAL_MS: intSetting(200, 0, 60_000),
  /** Events past its last snapshot at which a workflow's next is due (1: after every change). */
  SNAPSHOT_AFTER_EVENTS: intSetting(8, 1, 1_000_000),
  /** Times an auto-advanced answer that misses its phase's schema is asked again. */
  MAX_OUTPUT_REPAIRS: intSetting(2, 0, 10),
  /** Phases gated by a person's approval in workflows whose initialize names none: e.g. `PLANNING,DEPLOYMENT`. */
  APPROVAL_REQUIRED: phaseList,
  /**
   * A folder of role prompt files (`q_assistant.md`, `code_writer.md`, …) read at start; absent:
   * those bundled with the build. Workflows keep the prompts they started with.
   */
  PROMPTS_DIR: z.string().min(1).optional(),
});
export type OrchestratorConfig = z.infer<typeof OrchestratorConfig>;
