import { setTimeout as sleep } from 'node:timers/promises';
import type { LlmCallOutcome, LlmCallRequested, ProviderName, TokenDelta } from '@topdog/contracts';
import { costOf } from '@topdog/models';
import { inSpan, SpanKind, SpanStatusCode, tracingOn, type Logger } from '@topdog/runtime';
import { structuredAnswerJsonSchema } from '@topdog/prompts';
import type { ModelClient, StructuredOutput } from '../providers/model-client';
import { documentDeltas } from './document-deltas';
import { attemptDelayMs, classifyFailure, type AttemptFailure, type ModelRetryPolicy } from './failure-classes';
import { redactSecrets } from './redact-secrets';

export type CallRequest = LlmCallRequested['data'];

export interface CallRunnerDeps {
  clientFor(provider: ProviderName): ModelClient | undefined;
  missingSetting(provider: ProviderName): string | null;
  publishDelta(delta: TokenDelta): void;
  timeoutMs: number;
  maxAttempts: number;
  backoff: ModelRetryPolicy;
  secrets: readonly string[];
  logger: Logger;
}

/** The call was abandoned because this instance is stopping: nothing is recorded, the request is redelivered. */
export class CallAbandonedError extends Error {
  override readonly name = 'CallAbandonedError';
}

export interface CallResult {
  outcome: LlmCallOutcome;
  /** performance.timeOrigin-based milliseconds: when the first attempt started, and when the answer ended. */
  startedAtMs: number;
  endedAtMs: number;
}

const nowMs = () => performance.timeOrigin + performance.now();

/** What a phase's structured answer must meet: `{document, result}` under the phase's schema. */
const phaseAnswerSchema = (phase: CallRequest['phase']): StructuredOutput => ({
  name: `${phase.toLowerCase()}_answer`,
  schema: structuredAnswerJsonSchema(phase),
});

/**
 * Runs one requested call to its outcome: attempts with a per-attempt time limit (streaming
 * included), token deltas published as they arrive, retries with exponential backoff and
 * jitter on what may pass (honouring retry-after), and no retry on other client errors.
 */
export class CallRunner {
  constructor(private readonly deps: CallRunnerDeps) {}

  async run(request: CallRequest, stopping: AbortSignal): Promise<CallResult> {
    const startedAtMs = nowMs();
    const client = this.deps.clientFor(request.provider);
    if (!client) {
      const setting = this.deps.missingSetting(request.provider) ?? 'its settings';
      return this.failed(startedAtMs, 1, {
        errorClass: 'not_configured',
        retryable: false,
        httpStatus: null,
        retryAfterMs: null,
        message: `the ${request.provider} provider is not configured on this llm-runner: set ${setting}`,
      });
    }
    for (let attempt = 1; ; attempt++) {
      const failure = await this.tracedAttempt(client, request, attempt, stopping);
      if (!('errorClass' in failure)) {
        const answer = failure;
        return {
          startedAtMs,
          endedAtMs: nowMs(),
          outcome: {
            ok: true,
            content: answer.content,
            inputTokens: answer.inputTokens,
            outputTokens: answer.outputTokens,
            cachedInputTokens: answer.cachedInputTokens,
            cacheWriteTokens: answer.cacheWriteTokens,
            latencyMs: Math.round(nowMs() - startedAtMs),
            providerRequestId: answer.providerRequestId ? answer.providerRequestId.slice(0, 500) : null,
            finishReason: answer.finishReason ? answer.finishReason.slice(0, 100) : null,
            attempts: attempt,
          },
        };
      }
      const log = this.deps.logger.child({ workflowId: request.workflowId, callId: request.callId, attempt });
      const wait = failure.retryable && attempt < this.deps.maxAttempts ? attemptDelayMs(attempt, failure, this.deps.backoff) : null;
      if (wait === null) {
        // The classified message, not the SDK's error: that one may carry the provider key (redacted here).
        log.warn({ errorClass: failure.errorClass, httpStatus: failure.httpStatus, error: failure.message }, 'model call failed');
        return this.failed(startedAtMs, attempt, failure);
      }
      log.info({ errorClass: failure.errorClass, httpStatus: failure.httpStatus, waitMs: Math.round(wait) }, 'model call attempt failed; retrying');
      try {
        await sleep(wait, undefined, { signal: stopping });
      } catch {
        throw new CallAbandonedError('stopping');
      }
    }
  }

  /**
   * An attempt in a span of its own with tracing on, named and described as the OpenTelemetry
   * GenAI conventions say (`chat <model>`, `gen_ai.*`), with its cost (`topdog.cost_usd`).
   */
  private tracedAttempt(client: ModelClient, request: CallRequest, attempt: number, stopping: AbortSignal) {
    if (!tracingOn()) return this.attempt(client, request, attempt, stopping);
    const attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': request.provider,
      'gen_ai.request.model': request.providerModel,
      // Claude's newer models are asked without a temperature (the client leaves it out).
      ...(request.provider === 'anthropic' ? {} : { 'gen_ai.request.temperature': request.temperature }),
      'gen_ai.request.max_tokens': request.maxTokens,
      'topdog.model': request.model,
      'topdog.phase': request.phase,
      'topdog.attempt': attempt,
    };
    return inSpan(`chat ${request.providerModel}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      const result = await this.attempt(client, request, attempt, stopping);
      if ('errorClass' in result) {
        span?.setAttribute('error.type', result.errorClass);
        span?.setStatus({ code: SpanStatusCode.ERROR, message: result.message });
        return result;
      }
      span?.setAttributes({
        'gen_ai.response.model': result.responseModel ?? request.providerModel,
        'gen_ai.usage.input_tokens': result.inputTokens,
        'gen_ai.usage.output_tokens': result.outputTokens,
        'gen_ai.usage.cache_read.input_tokens': result.cachedInputTokens,
        'gen_ai.usage.cache_creation.input_tokens': result.cacheWriteTokens,
        ...(result.finishReason ? { 'gen_ai.response.finish_reasons': [result.finishReason] } : {}),
      });
      // A model without a price has no cost to show (not a cost of 0).
      const usd = costOf(request.pricing, result);
      if (usd !== null) span?.setAttribute('topdog.cost_usd', usd);
      return result;
    });
  }

  /** One attempt: the answer, or why it failed (with its message already redacted). */
  private async attempt(client: ModelClient, request: CallRequest, attempt: number, stopping: AbortSignal) {
    if (stopping.aborted) throw new CallAbandonedError('stopping');
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.deps.timeoutMs);
    const onStop = () => controller.abort();
    stopping.addEventListener('abort', onStop, { once: true });
    let seq = 0;
    const publish = (delta: string) =>
      this.deps.publishDelta({ workflowId: request.workflowId, callId: request.callId, phase: request.phase, attempt, seq: seq++, delta });
    const structured = request.answerFormat === 'structured';
    try {
      const answer = await client.complete(
        {
          callId: request.callId,
          phase: request.phase,
          providerModel: request.providerModel,
          messages: request.messages,
          temperature: request.temperature,
          maxTokens: request.maxTokens,
          structured: structured ? phaseAnswerSchema(request.phase) : null,
        },
        controller.signal,
        // A structured answer streams as JSON: the live view gets its document's text.
        structured ? documentDeltas(publish) : publish,
      );
      // An SDK may end an aborted stream quietly: a cut-off answer is not an answer.
      if (controller.signal.aborted) throw new Error('aborted');
      return answer;
    } catch (err) {
      if (stopping.aborted) throw new CallAbandonedError('stopping');
      const failure = classifyFailure(err, timedOut, client.errors);
      return { ...failure, message: redactSecrets(failure.message, this.deps.secrets).slice(0, 2000) };
    } finally {
      clearTimeout(timer);
      stopping.removeEventListener('abort', onStop);
    }
  }

  private failed(startedAtMs: number, attempts: number, failure: AttemptFailure): CallResult {
    const { errorClass, retryable, httpStatus, message } = failure;
    return { startedAtMs, endedAtMs: nowMs(), outcome: { ok: false, errorClass, message, retryable, httpStatus, attempts } };
  }
}
