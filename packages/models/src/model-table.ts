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
  /** Input read from the provider's prompt cache; null: billed as plain input. */
  cachedInputPerMTok?: number | null;
  /** Input written to the prompt cache (Anthropic's cache writes); null: billed as plain input. */
  cacheWritePerMTok?: number | null;
  /**
   * False for a model without a structured-output mode (JSON Schema answers): its answers are
   * asked for as text ending with a fenced JSON block. Absent: it has one.
   */
  structuredOutput?: false;
}

const SONNET: ModelEntry = {
  provider: 'anthropic',
  providerModel: 'claude-sonnet-4-6',
  inputPerMTok: 3,
  outputPerMTok: 15,
  cachedInputPerMTok: 0.3,
  cacheWritePerMTok: 3.75,
};

/**
 * Named models. The original system's kinds map onto it: GPT4 → `gpt-4`, GPT35 →
 * `gpt-3.5-turbo`, CLAUDE → `claude`, LOCAL → `local`. Any other model a provider offers is
 * reached as `openai:<model>`, `anthropic:<model>` or `local:<model>` with no code change.
 */
export const MODEL_TABLE: Readonly<Record<string, ModelEntry>> = {
  'gpt-4': { provider: 'openai', providerModel: 'gpt-4', inputPerMTok: 30, outputPerMTok: 60, structuredOutput: false },
  'gpt-4.1': { provider: 'openai', providerModel: 'gpt-4.1', inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5 },
  'gpt-4.1-mini': { provider: 'openai', providerModel: 'gpt-4.1-mini', inputPerMTok: 0.4, outputPerMTok: 1.6, cachedInputPerMTok: 0.1 },
  'gpt-3.5-turbo': { provider: 'openai', providerModel: 'gpt-3.5-turbo', inputPerMTok: 0.5, outputPerMTok: 1.5, structuredOutput: false },
  'claude-sonnet-4-6': SONNET,
  'claude-opus-4-1': {
    provider: 'anthropic',
    providerModel: 'claude-opus-4-1',
    inputPerMTok: 15,
    outputPerMTok: 75,
    cachedInputPerMTok: 1.5,
    cacheWritePerMTok: 18.75,
  },
  'claude-haiku-4-5': {
    provider: 'anthropic',
    providerModel: 'claude-haiku-4-5',
    inputPerMTok: 1,
    outputPerMTok: 5,
    cachedInputPerMTok: 0.1,
    cacheWritePerMTok: 1.25,
  },
  claude: SONNET,
  local: { provider: 'local', providerModel: 'llama3', inputPerMTok: 0, outputPerMTok: 0 },
  /** Deterministic, built in, no network: for demos and tests. Used only when named. */
  offline: { provider: 'offline', providerModel: 'offline-deterministic-v1', inputPerMTok: 0, outputPerMTok: 0 },
};

/** Whether a model has a structured-output mode (a table entry says only when it has not). */
export const hasStructuredOutput = (model: Pick<ModelEntry, 'structuredOutput'>): boolean => model.structuredOutput !== false;

/** What a call used: input (all of it, cached and cache writes included) and output tokens. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /** The part of the input read from the provider's prompt cache. */
  cachedInputTokens?: number;
  /** The part of the input written to the prompt cache. */
  cacheWriteTokens?: number;
}

type Prices = Pick<ModelEntry, 'inputPerMTok' | 'outputPerMTok' | 'cachedInputPerMTok' | 'cacheWritePerMTok'>;

/**
 * The cost of a call in US dollars, or null when the model has no price. Cached input and cache
 * writes are priced at their own rates where the table has them, else as plain input.
 */
export function costOf(pricing: Prices, usage: TokenUsage): number | null;
export function costOf(pricing: Prices, inputTokens: number, outputTokens: number): number | null;
export function costOf(pricing: Prices, usageOrInput: TokenUsage | number, outputTokens = 0): number | null {
  const usage = typeof usageOrInput === 'number' ? { inputTokens: usageOrInput, outputTokens } : usageOrInput;
  if (pricing.inputPerMTok === null || pricing.outputPerMTok === null) return null;
  const cached = usage.cachedInputTokens ?? 0;
  const written = usage.cacheWriteTokens ?? 0;
  const plain = Math.max(0, usage.inputTokens - cached - written);
  const input =
    plain * pricing.inputPerMTok +
    cached * (pricing.cachedInputPerMTok ?? pricing.inputPerMTok) +
    written * (pricing.cacheWritePerMTok ?? pricing.inputPerMTok);
  return (input + usage.outputTokens * pricing.outputPerMTok) / 1_000_000;
}
