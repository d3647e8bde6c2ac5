import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { attemptDelayMs, classifyFailure, type AttemptFailure } from './failure-classes';
import { redactSecrets } from './redact-secrets';

const policy = { baseMs: 100, maxMs: 1_000, retryAfterMaxMs: 10_000 };
const failure = (retryAfterMs: number | null = null): AttemptFailure => ({
  errorClass: 'server_error',
  retryable: true,
  httpStatus: 500,
  retryAfterMs,
  message: '',
});

describe('backoff', () => {
  it('grows exponentially with jitter over the upper half, capped', () => {
    expect(attemptDelayMs(1, failure(), policy, () => 0)).toBe(50);
    expect(attemptDelayMs(1, failure(), policy, () => 1)).toBe(100);
    expect(attemptDelayMs(3, failure(), policy, () => 1)).toBe(400);
    expect(attemptDelayMs(10, failure(), policy, () => 1)).toBe(1_000);
  });

  it('waits at least the retry-after, and gives up when it is longer than we will wait', () => {
    expect(attemptDelayMs(1, failure(2_500), policy, () => 0)).toBe(2_500);
    expect(attemptDelayMs(1, failure(60_000), policy)).toBeNull();
  });
});

describe('failure classes', () => {
  const apiError = (status: number, headers: Record<string, string> = {}) =>
    OpenAI.APIError.generate(status, { error: { message: 'x' } }, 'x', new Headers(headers));

  it('retries 429 (reading retry-after in seconds, ms or as a date), 5xx, 408', () => {
    expect(classifyFailure(apiError(429, { 'retry-after': '2' }), false, OpenAI)).toMatchObject({
      errorClass: 'rate_limited',
      retryable: true,
      retryAfterMs: 2_000,
    });
    expect(classifyFailure(apiError(429, { 'retry-after-ms': '250' }), false, OpenAI)).toMatchObject({ retryAfterMs: 250 });
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(classifyFailure(apiError(429, { 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), false, OpenAI, now)).toMatchObject({ retryAfterMs: 3_000 });
    expect(classifyFailure(apiError(502), false, OpenAI)).toMatchObject({ errorClass: 'server_error', retryable: true, httpStatus: 502 });
  });

  it('does not retry other 4xx', () => {
    for (const [status, errorClass] of [
      [400, 'bad_request'],
      [401, 'authentication'],
      [403, 'permission'],
      [404, 'not_found'],
      [409, 'client_error'],
    ] as const) {
      expect(classifyFailure(apiError(status), false, OpenAI)).toMatchObject({ errorClass, retryable: false, httpStatus: status });
    }
  });

  it('retries resets, our own timeouts and unparsable bodies', () => {
    expect(classifyFailure(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), false)).toMatchObject({
      errorClass: 'connection',
      retryable: true,
    });
    expect(classifyFailure(new Anthropic.APIConnectionTimeoutError(), false, Anthropic)).toMatchObject({ errorClass: 'timeout', retryable: true });
    expect(classifyFailure(new Anthropic.APIConnectionError({ message: 'reset' }), false, Anthropic)).toMatchObject({
      errorClass: 'connection',
      retryable: true,
    });
    expect(classifyFailure(new Error('aborted'), true)).toMatchObject({ errorClass: 'timeout', retryable: true });
    expect(classifyFailure(new SyntaxError('Unexpected end of JSON input'), false)).toMatchObject({ errorClass: 'malformed_response', retryable: true });
    expect(classifyFailure(new Error('something else'), false)).toMatchObject({ errorClass: 'unexpected', retryable: false });
  });
});

describe('secret redaction', () => {
  it('removes configured secrets and anything shaped like a key', () => {
    const text = 'Incorrect API key provided: my-own-secret-value; also sk-proj-abcdef123456 and Bearer abc.def.ghi123';
    const out = redactSecrets(text, ['my-own-secret-value']);
    expect(out).not.toMatch(/my-own-secret-value|sk-proj-abcdef123456|abc\.def\.ghi123/);
    expect(out.match(/\[redacted\]/g)).toHaveLength(3);
  });
});
