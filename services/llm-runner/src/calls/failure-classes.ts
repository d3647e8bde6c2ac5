import { backoffMs, type BackoffPolicy, type LlmFailureClass } from '@topdog/contracts';
import type { SdkErrorClasses } from '../providers/model-client';

/** What went wrong with one attempt, and whether another attempt may help. */
export interface AttemptFailure {
  errorClass: Exclude<LlmFailureClass, 'result_rejected'>;
  retryable: boolean;
  httpStatus: number | null;
  /** From `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
  retryAfterMs: number | null;
  message: string;
}

type HeaderBag = { get(name: string): string | null } | undefined;

function retryAfterMs(headers: HeaderBag, now: number): number | null {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers?.get('retry-after');
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

const NETWORK_CODES = /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|UND_ERR|socket hang up|terminated|other side closed|network/i;

function byStatus(status: number, message: string, headers: HeaderBag, now: number): AttemptFailure {
  const base = { httpStatus: status, retryAfterMs: null, message };
  if (status === 429) return { ...base, errorClass: 'rate_limited', retryable: true, retryAfterMs: retryAfterMs(headers, now) };
  if (status >= 500) return { ...base, errorClass: 'server_error', retryable: true, retryAfterMs: retryAfterMs(headers, now) };
  if (status === 401) return { ...base, errorClass: 'authentication', retryable: false };
  if (status === 403) return { ...base, errorClass: 'permission', retryable: false };
  if (status === 404) return { ...base, errorClass: 'not_found', retryable: false };
  if (status === 400 || status === 422) return { ...base, errorClass: 'bad_request', retryable: false };
  if (status === 408) return { ...base, errorClass: 'timeout', retryable: true };
  return { ...base, errorClass: 'client_error', retryable: false };
}

/** `instanceof` without narrowing `value` (an SDK's classes are plain `Error`s to the type checker). */
const isA = (value: unknown, cls: SdkErrorClasses[keyof SdkErrorClasses]): boolean => value instanceof cls;

/**
 * Sorts an error from a provider's SDK (whose error classes are `sdk`), or the network under
 * it, into a class. Retryable: 429, 5xx, timeouts, connection resets and drops (mid-stream
 * too), malformed responses. Not retryable: every other 4xx. `timedOut` says our own
 * per-attempt timer aborted it.
 */
export function classifyFailure(err: unknown, timedOut: boolean, sdk?: SdkErrorClasses, now = Date.now()): AttemptFailure {
  const message = err instanceof Error ? err.message : String(err);
  const none = { httpStatus: null, retryAfterMs: null, message };
  if (timedOut) return { ...none, errorClass: 'timeout', retryable: true, message: 'the attempt passed its time limit' };
  if (sdk && isA(err, sdk.APIError)) {
    const status = (err as { status?: number }).status;
    if (typeof status === 'number') return byStatus(status, message, (err as { headers?: HeaderBag }).headers, now);
    if (isA(err, sdk.APIConnectionTimeoutError)) {
      return { ...none, errorClass: 'timeout', retryable: true };
    }
    if (isA(err, sdk.APIConnectionError)) {
      return { ...none, errorClass: 'connection', retryable: true };
    }
    // A stream that carried an error event, or broke off, has no status.
    if (/JSON|parse|Unexpected token/i.test(message)) return { ...none, errorClass: 'malformed_response', retryable: true };
    return { ...none, errorClass: 'connection', retryable: true };
  }
  if (err instanceof SyntaxError) return { ...none, errorClass: 'malformed_response', retryable: true };
  const code = (err as { code?: string; cause?: { code?: string; message?: string } })?.code ?? (err as { cause?: { code?: string } })?.cause?.code ?? '';
  const causeMessage = (err as { cause?: { message?: string } })?.cause?.message ?? '';
  if (NETWORK_CODES.test(`${code} ${message} ${causeMessage}`)) return { ...none, errorClass: 'connection', retryable: true };
  return { ...none, errorClass: 'unexpected', retryable: false };
}

export interface ModelRetryPolicy extends BackoffPolicy {
  /** The longest retry-after honoured; beyond it the call fails now. */
  retryAfterMaxMs: number;
}

/**
 * The wait before attempt `attempt + 1`: the shared back-off, but at least the server's
 * retry-after. Null: give up now (the server asked for longer than we will wait). `random` is
 * injectable for tests.
 */
export function attemptDelayMs(attempt: number, failure: AttemptFailure, policy: ModelRetryPolicy, random = Math.random): number | null {
  if (failure.retryAfterMs !== null && failure.retryAfterMs > policy.retryAfterMaxMs) return null;
  return Math.max(backoffMs(attempt, policy, random), failure.retryAfterMs ?? 0);
}
