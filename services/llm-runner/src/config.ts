import { BaseConfig } from '@topdog/runtime';
import type { z } from 'zod';

export const LlmRunnerConfig = BaseConfig.extend({});
export type LlmRunnerConfig = z.infer<typeof LlmRunnerConfig>;
