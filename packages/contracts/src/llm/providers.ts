import * as z from 'zod';

/**
 * The APIs a model is reached through. `local` is any OpenAI-compatible server (Ollama, vLLM,
 * llama.cpp); `offline` is the deterministic built-in model for demos and tests.
 */
export const PROVIDERS = ['openai', 'anthropic', 'local', 'offline'] as const;
export const ProviderName = z.enum(PROVIDERS);
export type ProviderName = z.infer<typeof ProviderName>;

/** The setting a provider cannot work without (named in the 422 when it is missing). */
export const PROVIDER_REQUIRED_SETTING: Readonly<Record<ProviderName, string | null>> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  local: 'LOCAL_LLM_BASE_URL',
  offline: null,
};

/** What the llm-runner knows of one provider: configured, and reachable at the last check. */
export const ProviderStatus = z.object({
  provider: ProviderName,
  configured: z.boolean(),
  /** The missing setting when not configured. */
  missingSetting: z.string().nullable(),
  /** Where requests go (never a key). */
  baseUrl: z.string().nullable(),
  /**
   * Whether phase answers are asked for in the provider's structured-output mode (a model
   * without one is still asked for a fenced block). Absent from an older llm-runner: no.
   */
  structuredOutput: z.boolean().default(false),
  /** Null until checked; checks run at start-up and then periodically. */
  reachable: z.boolean().nullable(),
  checkedAt: z.iso.datetime().nullable(),
  latencyMs: z.number().nullable(),
  error: z.string().nullable(),
});
export type ProviderStatus = z.infer<typeof ProviderStatus>;

export const GetProviders = z.object({}).default({});
export const ProvidersReport = z.object({ instanceId: z.string(), providers: z.array(ProviderStatus) });
export type ProvidersReport = z.infer<typeof ProvidersReport>;

/**
 * A piece of a model's answer while the call runs: published on the workflow's live token
 * subject, never stored (the final content is, in LlmCallSucceeded). `attempt` restarts the
 * text: a retried call streams again from the beginning.
 */
export const TokenDelta = z.object({
  workflowId: z.uuid(),
  callId: z.uuid(),
  phase: z.string(),
  attempt: z.number().int().positive(),
  seq: z.number().int().nonnegative(),
  delta: z.string(),
});
export type TokenDelta = z.infer<typeof TokenDelta>;
