import { costOf, MODEL_TABLE } from '@topdog/models';
import { Counter, Histogram, MODEL_CALL_SECONDS_BUCKETS, readingGauge, type Registry } from '@topdog/runtime';
import type { CallObserver } from '../queue/request-worker';

/**
 * The llm-runner's series: its pending requests, and each model call's latency, tokens and cost
 * by provider and model (cost at the prices the call was requested with, as the workflow records it).
 */
export function llmRunnerMetrics(registry: Registry, pending: () => number): CallObserver {
  readingGauge(registry, {
    name: 'topdog_llm_pending_requests',
    help: 'Call requests this instance has taken and not finished (calls running, or waiting for a slot)',
    read: pending,
  });
  const duration = new Histogram({
    name: 'topdog_llm_call_duration_seconds',
    help: 'Model calls from the first attempt to the answer (retries included), by provider, model and outcome (ok, or the failure class)',
    labelNames: ['provider', 'model', 'outcome'],
    buckets: MODEL_CALL_SECONDS_BUCKETS,
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'topdog_llm_tokens_total',
    help: 'Tokens of answered model calls by provider, model and kind: input (all of it), cached_input (read from the prompt cache), output',
    labelNames: ['provider', 'model', 'kind'],
    registers: [registry],
  });
  const cost = new Counter({
    name: 'topdog_llm_cost_usd_total',
    help: 'Cost of answered model calls in US dollars, by provider and model (models without a price count nothing)',
    labelNames: ['provider', 'model'],
    registers: [registry],
  });
  return {
    callFinished(request, outcome, seconds) {
      // A model of the table by its name; any other (`openai:<anything>`) as `<provider>:other`,
      // so that callers naming models cannot make series without end.
      const model = request.model in MODEL_TABLE ? request.model : `${request.provider}:other`;
      const labels = { provider: request.provider, model };
      duration.observe({ ...labels, outcome: outcome.ok ? 'ok' : outcome.errorClass }, seconds);
      if (!outcome.ok) return;
      tokens.inc({ ...labels, kind: 'input' }, outcome.inputTokens);
      tokens.inc({ ...labels, kind: 'cached_input' }, outcome.cachedInputTokens);
      tokens.inc({ ...labels, kind: 'output' }, outcome.outputTokens);
      const usd = costOf(request.pricing, outcome);
      if (usd !== null) cost.inc(labels, usd);
    },
  };
}
