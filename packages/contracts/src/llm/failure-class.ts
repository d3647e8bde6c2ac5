import * as z from 'zod';

/**
 * Why a model call failed, as recorded in LlmCallFailed and shown in status. The llm-runner
 * classifies each attempt's failure; `retryable` is decided with it.
 */
export const LlmFailureClass = z.enum([
  /** 429: the provider asked us to slow down. */
  'rate_limited',
  /** 5xx from the provider. */
  'server_error',
  /** The attempt passed its time limit (ours, or the provider's 408). */
  'timeout',
  /** Refused, reset or dropped connections, mid-stream too. */
  'connection',
  /** An answer that is not the provider's wire format, or a stream cut short. */
  'malformed_response',
  /** 401: the key was refused. */
  'authentication',
  /** 403. */
  'permission',
  /** 400 or 422: the provider refused the request itself. */
  'bad_request',
  /** 404: an unknown model, usually. */
  'not_found',
  /** Any other 4xx. */
  'client_error',
  /** The provider lacks a setting on the llm-runner (an API key, a base URL). */
  'not_configured',
  /** The orchestrator would not record the answer (too large to store, say). */
  'result_rejected',
  /** Anything else. */
  'unexpected',
]);
export type LlmFailureClass = z.infer<typeof LlmFailureClass>;
