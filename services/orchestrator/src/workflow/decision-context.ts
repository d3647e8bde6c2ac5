import type { ProviderName } from '@topdog/contracts';
import type { PromptLibrary } from '@topdog/prompts';

/**
 * What each provider lacks on the llm-runner, by provider: null when it is configured, the
 * missing setting's name when not, or 'unknown' when no llm-runner has answered yet.
 */
export type ProviderSettings = Readonly<Record<ProviderName, string | null>>;

/** The inputs of a decision besides the command and the state. Read before deciding; decide stays pure. */
export interface DecisionContext {
  prompts: PromptLibrary;
  /** How many times an auto-advanced answer that misses its schema is asked again. */
  maxRepairs: number;
  providers: ProviderSettings;
}
