import type { ProviderName } from '@topdog/contracts';

/** Which API a model is reached through. */
export type Provider = ProviderName;

export interface ModelEntry {
  provider: Provider;
  /** The name the provider's API knows the model by. */
  providerModel: string;
  /** US dollars per million tokens; null when unknown (cost is then reported as unknown). */
  inputPerMTok: number | null;
  outputPerMTok: number | null;
}

/**
 * Named models. The original system's kinds map onto it: GPT4 → `gpt-4`, GPT35 →
 * `gpt-3.5-turbo`, CLAUDE → `claude`, LOCAL → `local`. Any other model a provider offers is
 * reached as `openai:<model>`, `anthropic:<model>` or `local:<model>` with no code change.
 */
export const MODEL_TABLE: Readonly<Record<string, ModelEntry>> = {
  'gpt-4': { provider: 'openai', providerModel: 'gpt-4', inputPerMTok: 30, outputPerMTok: 60 },
  'gpt-4.1': { provider: 'openai', providerModel: 'gpt-4.1', inputPerMTok: 2, outputPerMTok: 8 },
  'gpt-4.1-mini': { provider: 'openai', providerModel: 'gpt-4.1-mini', inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-3.5-turbo': { provider: 'openai', providerModel: 'gpt-3.5-turbo', inputPerMTok: 0.5, outputPerMTok: 1.5 },
  'claude-sonnet-4-6': { provider: 'anthropic', providerModel: 'claude-sonnet-4-6', inputPerMTok: 3, outputPerMTok: 15 },
  'claude-opus-4-1': { provider: 'anthropic', providerModel: 'claude-opus-4-1', inputPerMTok: 15, outputPerMTok: 75 },
  'claude-haiku-4-5': { provider: 'anthropic', providerModel: 'claude-haiku-4-5', inputPerMTok: 1, outputPerMTok: 5 },
  claude: { provider: 'anthropic', providerModel: 'claude-sonnet-4-6', inputPerMTok: 3, outputPerMTok: 15 },
  local: { provider: 'local', providerModel: 'llama3', inputPerMTok: 0, outputPerMTok: 0 },
  /** Deterministic, built in, no network: for demos and tests. Used only when named. */
  offline: { provider: 'offline', providerModel: 'offline-deterministic-v1', inputPerMTok: 0, outputPerMTok: 0 },
};

/** The cost of a call in US dollars, or null when the model has no price. */
export function costOf(pricing: Pick<ModelEntry, 'inputPerMTok' | 'outputPerMTok'>, inputTokens: number, outputTokens: number): number | null {
  if (pricing.inputPerMTok === null || pricing.outputPerMTok === null) return null;
  return (inputTokens * pricing.inputPerMTok + outputTokens * pricing.outputPerMTok) / 1_000_000;
}
