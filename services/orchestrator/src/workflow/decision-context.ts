import type { ProviderName } from '@topdog/contracts';
import type { PromptLibrary } from '@topdog/prompts';

/**
 * What each provider lacks on the llm-runner, by provider: null when it is configured, the
 * missing setting's name when not, or 'unknown' when no llm-runner has answered yet.
 */
export type ProviderSettings = Readonly<Record<ProviderName, string | null>>;

/** Whether each provider's answers are asked for in its structured-output mode, as the llm-runner reported. */
export type StructuredOutputs = Readonly<Record<ProviderName, boolean>>;

/** What the llm-runner last reported of its providers. */
export interface KnownProviders {
  settings: ProviderSettings;
  structuredOutput: StructuredOutputs;
}

/** The inputs of a decision besides the command and the state. Read before deciding; decide stays pure. */
export interface DecisionContext {
  prompts: PromptLibrary;
  /** How many times an auto-advanced answer that misses its schema is asked again. */
  maxRepairs: number;
  providers: ProviderSettings;
  structuredOutput: StructuredOutputs;
}
