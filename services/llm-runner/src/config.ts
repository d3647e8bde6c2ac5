import { BaseConfig, boolSetting, intSetting } from '@topdog/runtime';
import * as z from 'zod';

const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
/** A secret: its value is never logged, and is redacted from any error text. */
const secret = z.string().min(1).max(1000);

export const LlmRunnerConfig = BaseConfig.extend({
  OPENAI_API_KEY: secret.optional(),
  OPENAI_BASE_URL: url.optional(),
  ANTHROPIC_API_KEY: secret.optional(),
  ANTHROPIC_BASE_URL: url.optional(),
  /** An OpenAI-compatible server (Ollama: http://127.0.0.1:11434/v1, vLLM, llama.cpp). */
  LOCAL_LLM_BASE_URL: url.optional(),
  LOCAL_LLM_API_KEY: secret.optional(),
  /**
   * Whether phase answers are asked for in each provider's structured-output mode (OpenAI's and
   * the local server's `json_schema` response format, Anthropic's JSON output format); `false`:
   * as text ending with a fenced JSON block, for a server without the mode.
   */
  OPENAI_STRUCTURED_OUTPUT: boolSetting(true),
  ANTHROPIC_STRUCTURED_OUTPUT: boolSetting(true),
  LOCAL_LLM_STRUCTURED_OUTPUT: boolSetting(true),
  /** One attempt's limit, streaming included. */
  LLM_CALL_TIMEOUT_MS: intSetting(120_000, 100),
  /** Attempts per call (the first plus retries) on 429, 5xx, resets and timeouts. */
  LLM_MAX_ATTEMPTS: intSetting(4, 1, 20),
  LLM_RETRY_BASE_MS: intSetting(500, 1),
  LLM_RETRY_MAX_MS: intSetting(30_000, 1),
  /** The longest retry-after honoured; a longer one ends the call as failed. */
  LLM_RETRY_AFTER_MAX_MS: intSetting(120_000, 0),
  /** Calls this instance runs at once. */
  LLM_CONCURRENCY: intSetting(16, 1, 1_000),
  /** How long a taken request stays with this instance without a heartbeat. */
  LLM_REQUEST_ACK_WAIT_MS: intSetting(30_000, 1_000),
  /**
   * How long a queued call that is not stored, and whose revision no other event holds, is kept
   * (the orchestrator queues a call before appending it, so its append may be under way, or
   * delayed by a reconnecting connection). One whose revision another event holds is dropped at
   * once. Past this, its orchestrator died between the two, and it is dropped.
   */
  LLM_UNSTORED_CALL_GRACE_MS: intSetting(3_600_000, 1_000),
  /** How often providers are checked for reachability (0: only at start-up). */
  PROVIDER_CHECK_INTERVAL_MS: intSetting(60_000, 0),
  NATS_REQUEST_TIMEOUT_MS: intSetting(5_000, 100),
});
export type LlmRunnerConfig = z.infer<typeof LlmRunnerConfig>;

/** The values in the configuration that must never be shown. */
export const secretsOf = (config: LlmRunnerConfig): string[] =>
  [config.OPENAI_API_KEY, config.ANTHROPIC_API_KEY, config.LOCAL_LLM_API_KEY].filter((s): s is string => !!s);
