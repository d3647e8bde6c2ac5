import { randomBytes } from 'node:crypto';
import { workflowStreamId } from '@topdog/contracts';
import { FakeLlmServer, OtlpReceiver, type ReceivedSpan } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, initializeBody } from './support/http';
import { phaseAnswer } from './support/phase-answers';
import { startSystem, type System } from './support/system';
import { poll, waitForStatus } from './support/wait';

const OPENAI_KEY = 'sk-e2e-tracing-0123456789';
const SERVICES = ['topdog-gateway', 'topdog-orchestrator', 'topdog-llm-runner', 'topdog-projector'];
const RUN_PHASE_ROUTE = 'POST /api/ai-workflows/:workflow_id/run-phase';

/** Traces from the HTTP request to the model and back, exported over OTLP/HTTP to a receiver in the test. */
describe('tracing', () => {
  let system: System;
  let openai: FakeLlmServer;
  let receiver: OtlpReceiver;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    openai = await FakeLlmServer.start('openai', { apiKey: OPENAI_KEY, answer: phaseAnswer });
    system = await startSystem({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: openai.url,
    });
  });
  afterAll(async () => {
    await system?.[Symbol.asyncDispose]();
    await Promise.all([openai?.close(), receiver?.close()]);
  });

  it('follows a run-phase through all four services in one trace, the model call with its GenAI attributes and cost', async () => {
    const init = await http(system.baseUrl, 'POST', '/api/ai-workflows/initialize', { ...initializeBody(), model: 'gpt-4.1' });
    expect(init.status, JSON.stringify(init.body)).toBe(200);
    const id = init.body.workflow_id as string;
    // The caller's own trace: everything the run-phase causes joins it.
    const traceId = randomBytes(16).toString('hex');
    const run = await http(
      system.baseUrl,
      'POST',
      `/api/ai-workflows/${id}/run-phase`,
      {},
      { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    );
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    await waitForStatus(system.baseUrl, id, (s) => s.llm?.last_call?.status === 'succeeded');

    // Each service exports its spans in batches of its own: the trace is complete once every span
    // asserted below has arrived, each with its parent (a span's batch can come after its child's).
    const expected: [service: string, name: string | RegExp][] = [
      ['topdog-gateway', RUN_PHASE_ROUTE],
      ['topdog-orchestrator', 'handle cmd.workflow.run-phase'],
      ['topdog-orchestrator', 'event-store append'],
      ['topdog-llm-runner', 'llm call DISCOVERY'],
      ['topdog-llm-runner', /^chat /],
      ['topdog-orchestrator', 'handle cmd.workflow.record-llm-result'],
      ['topdog-projector', /^projector apply LlmCallRequested/],
      ['topdog-projector', /^projector apply LlmCallSucceeded/],
    ];
    const isNamed = (s: ReceivedSpan, service: string, name: string | RegExp) =>
      s.service === service && (typeof name === 'string' ? s.name === name : name.test(s.name));
    const spansOfTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    /** Spans whose parent is not among `spans`, but for the caller's root (its parent is the caller's). */
    const orphansOf = (spans: ReceivedSpan[]) => {
      const ids = new Set(spans.map((s) => s.spanId));
      return spans.filter((s) => !isNamed(s, 'topdog-gateway', RUN_PHASE_ROUTE) && !ids.has(s.parentSpanId));
    };
    const complete = (spans: ReceivedSpan[]) =>
      expected.every(([service, name]) => spans.some((s) => isNamed(s, service, name))) && orphansOf(spans).length === 0;
    // Not complete within the time: the assertions below say what is missing.
    const inTrace = await poll(
      'every span of the trace',
      () => {
        const spans = spansOfTrace();
        return complete(spans) ? spans : undefined;
      },
      { timeoutMs: 15_000, everyMs: 200 },
    ).catch(spansOfTrace);
    console.info(`trace ${traceId}: ${inTrace.length} spans: ${[...new Set(inTrace.map((s) => `${s.service} ${s.name}`))].join('; ')}`);
    expect(SERVICES.filter((service) => !inTrace.some((s) => s.service === service))).toEqual([]);
    const named = (service: string, name: string | RegExp): ReceivedSpan | undefined => inTrace.find((s) => isNamed(s, service, name));
    const httpSpan = named('topdog-gateway', RUN_PHASE_ROUTE);
    expect(httpSpan?.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 202 });
    for (const [service, name] of expected) expect(named(service, name), `${service}: ${String(name)}`).toBeDefined();

    const model = named('topdog-llm-runner', /^chat /);
    expect(model?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4.1',
      'gen_ai.response.model': expect.any(String),
      'gen_ai.usage.input_tokens': expect.any(Number),
      'gen_ai.usage.output_tokens': expect.any(Number),
    });
    expect(model!.attributes['topdog.cost_usd']).toBeGreaterThan(0);
    // Spans link up: every one but the caller's root has its parent in the trace.
    expect(orphansOf(inTrace).map((s) => `${s.service} ${s.name}`)).toEqual([]);

    // The events the run wrote carry the trace, so an audit entry leads to it.
    const store = await system.eventStore();
    const events = await store.readStream(workflowStreamId(id));
    const requested = events.find((e) => e.type === 'LlmCallRequested');
    expect(requested?.metadata.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const audit = await http(system.baseUrl, 'GET', `/api/ai-workflows/${id}/audit`);
    expect(JSON.stringify(audit.body)).toContain(traceId);
  });
});

describe('tracing, requests at once', () => {
  it('keeps concurrent requests in their own traces', async () => {
    const receiver = await OtlpReceiver.start();
    const system = await startSystem({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '200' });
    try {
      const traces = Array.from({ length: 8 }, () => randomBytes(16).toString('hex'));
      const started = await Promise.all(
        traces.map((traceId) =>
          http(system.baseUrl, 'POST', '/api/ai-workflows/initialize', initializeBody(), { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` }),
        ),
      );
      const store = await system.eventStore();
      for (const [i, r] of started.entries()) {
        expect(r.status).toBe(200);
        const [first] = await store.readStream(workflowStreamId(r.body.workflow_id as string));
        expect(first!.metadata.traceparent, `workflow ${i}`).toContain(traces[i]);
      }
      // Each trace's orchestrator span handled its own workflow's command, and no other's.
      await poll('every trace to reach the orchestrator', () =>
        traces.every((t) => receiver.spans.some((s) => s.traceId === t && s.service === 'topdog-orchestrator')) ? true : undefined,
      );
    } finally {
      await system[Symbol.asyncDispose]();
      await receiver.close();
    }
  });
});

describe('tracing off', () => {
  it('creates no exporter when OTEL_SDK_DISABLED is set, even with an endpoint: nothing is sent, the services do not say tracing is on', async () => {
    const receiver = await OtlpReceiver.start();
    const system = await startSystem({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SDK_DISABLED: 'true', OTEL_BSP_SCHEDULE_DELAY: '100' });
    try {
      const init = await http(system.baseUrl, 'POST', '/api/ai-workflows/initialize', initializeBody(), {
        traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
      });
      expect(init.status).toBe(200);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(receiver.contentTypes).toEqual([]);
      for (const service of ['gateway', 'orchestrator', 'projector', 'llm-runner'] as const) expect(await system.logs(service)).not.toContain('tracing on');
      const events = await (await system.eventStore()).readStream(workflowStreamId(init.body.workflow_id as string));
      expect(events[0]!.metadata.traceparent).toBeUndefined();
    } finally {
      await system[Symbol.asyncDispose]();
      await receiver.close();
    }
  });
});
