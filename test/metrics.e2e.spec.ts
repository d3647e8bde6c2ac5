import { workflowStreamId } from '@topdog/contracts';
import { verifyChain } from '@topdog/event-store';
import { FakeLlmServer } from '@topdog/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuth } from './support/credentials';
import { http, initializeBody } from './support/http';
import { phaseAnswer } from './support/phase-answers';
import { has, parsePrometheus, valueOf, type Series } from './support/prometheus';
import { startSystem, type Service, type System } from './support/system';
import { waitForStatus } from './support/wait';

const OPENAI_KEY = 'sk-e2e-metrics-0123456789';

/** Each service's Prometheus series, after real workflows: the gateway's on its port, the others' on METRICS_PORT. */
describe('metrics', () => {
  let system: System;
  let openai: FakeLlmServer;

  /** The operations URL a service logged when it said it was ready. */
  async function opsUrl(service: Service): Promise<string> {
    const ready = (await system.logs(service)).split('\n').filter((line) => line.includes(`"msg":"${service} ready"`));
    return (JSON.parse(ready.at(-1)!) as { opsUrl: string }).opsUrl;
  }
  async function scrape(url: string): Promise<Series[]> {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheus(await res.text());
  }

  beforeAll(async () => {
    openai = await FakeLlmServer.start('openai', { apiKey: OPENAI_KEY, answer: phaseAnswer });
    system = await startSystem({ METRICS_PORT: '0', OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: openai.url });
    // Two workflows run by models to the end: one on the offline model, one on a priced model (the local OpenAI-wire server).
    for (const model of ['offline', 'gpt-4.1']) {
      const init = await http(system.baseUrl, 'POST', '/api/ai-workflows/initialize', { ...initializeBody({ auto_advance: true }), model });
      expect(init.status, JSON.stringify(init.body)).toBe(200);
      const done = await waitForStatus(system.baseUrl, init.body.workflow_id as string, (s) => s.is_complete || s.llm?.stopped, 60_000);
      expect(done.is_complete, JSON.stringify(done.llm)).toBe(true);
    }
    expect((await http(system.baseUrl, 'GET', '/api/ai-workflows/status/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
  afterAll(async () => {
    await system?.[Symbol.asyncDispose]();
    await openai?.close();
  });

  it("serves the gateway's on its own port, without a credential: latency by route and status, errors by code, live streams", async () => {
    const series = await scrape(system.baseUrl);
    const initialized = {
      name: 'topdog_http_request_duration_seconds_count',
      labels: { method: 'POST', route: '/api/ai-workflows/initialize', status_code: '200' },
    };
    expect(valueOf(series, initialized.name, initialized.labels)).toBe(2);
    // Routes are patterns, never raw URLs (one series per workflow would grow without end).
    expect(valueOf(series, 'topdog_http_request_duration_seconds_count', { route: '/api/ai-workflows/status/:workflow_id', status_code: '404' })).toBe(1);
    expect(series.filter((s) => s.name.startsWith('topdog_http_request_duration') && /[0-9a-f]{8}-/.test(s.labels.route ?? ''))).toEqual([]);
    expect(valueOf(series, 'topdog_http_errors_total', { code: 'NOT_FOUND' })).toBe(1);
    expect(valueOf(series, 'topdog_live_connections')).toBe(0);
    // An open live stream is counted while it is open.
    const stream = new AbortController();
    const open = await fetch(`${system.baseUrl}/api/events`, { headers: adminAuth(), signal: stream.signal });
    expect(open.status).toBe(200);
    expect(valueOf(await scrape(system.baseUrl), 'topdog_live_connections')).toBe(1);
    stream.abort();
    expect(valueOf(series, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    // Public like /healthz: a credential is not needed, and not refused.
    expect((await fetch(`${system.baseUrl}/metrics`, { headers: adminAuth() })).status).toBe(200);
  });

  it("serves the orchestrator's: commands by outcome, appends, revision conflicts", async () => {
    const series = await scrape(await opsUrl('orchestrator'));
    expect(valueOf(series, 'topdog_nats_request_duration_seconds_count', { request: 'cmd.workflow.initialize', outcome: 'ok' })).toBe(2);
    // Each workflow: its start, and each of six calls' result recorded.
    expect(valueOf(series, 'topdog_nats_request_duration_seconds_count', { request: 'cmd.workflow.record-llm-result', outcome: 'ok' })).toBeGreaterThanOrEqual(
      12,
    );
    expect(valueOf(series, 'topdog_event_append_duration_seconds_count', { outcome: 'ok' })).toBeGreaterThanOrEqual(14);
    expect(has(series, 'topdog_revision_conflicts_total')).toBe(true);
  });

  it("serves the projector's: applied position, lag, run progress, queries", async () => {
    const series = await scrape(await opsUrl('projector'));
    expect(valueOf(series, 'topdog_projector_applied_position')).toBeGreaterThan(0);
    expect(valueOf(series, 'topdog_projector_lag_positions')).toBe(0);
    expect(valueOf(series, 'topdog_projector_run_progress_ratio')).toBe(1);
    expect(valueOf(series, 'topdog_nats_request_duration_seconds_count', { request: 'query.workflow.status', outcome: 'ok' })).toBeGreaterThan(0);
  });

  it("serves the llm-runner's: calls by provider, model and outcome, tokens, cost, pending requests", async () => {
    const series = await scrape(await opsUrl('llm-runner'));
    expect(valueOf(series, 'topdog_llm_call_duration_seconds_count', { provider: 'offline', model: 'offline', outcome: 'ok' })).toBe(6);
    expect(valueOf(series, 'topdog_llm_call_duration_seconds_count', { provider: 'openai', model: 'gpt-4.1', outcome: 'ok' })).toBe(6);
    expect(valueOf(series, 'topdog_llm_tokens_total', { provider: 'openai', model: 'gpt-4.1', kind: 'input' })).toBeGreaterThan(0);
    expect(valueOf(series, 'topdog_llm_tokens_total', { provider: 'openai', model: 'gpt-4.1', kind: 'output' })).toBeGreaterThan(0);
    expect(valueOf(series, 'topdog_llm_cost_usd_total', { provider: 'openai', model: 'gpt-4.1' })).toBeGreaterThan(0);
    expect(valueOf(series, 'topdog_llm_cost_usd_total', { provider: 'offline' })).toBe(0);
    expect(valueOf(series, 'topdog_llm_pending_requests')).toBe(0);
  });

  // Last: it restarts services, which starts their series again.
  it("counts the snapshot and status reads: a restarted orchestrator's command reads the workflow's snapshot, and has the projector read the status ahead", async () => {
    const init = await http(system.baseUrl, 'POST', '/api/ai-workflows/initialize', initializeBody());
    expect(init.status).toBe(200);
    const id = init.body.workflow_id as string;
    // Both restarted (the projector stores its statuses as it stops): neither holds the workflow.
    for (const service of ['orchestrator', 'projector'] as const) {
      await system.kill(service, 'SIGTERM');
      await system.start(service);
    }
    await system.waitReady();
    const completed = await http(system.baseUrl, 'POST', '/api/ai-workflows/complete-phase', { workflow_id: id, ai_response: 'requirements' });
    expect(completed.status, JSON.stringify(completed.body)).toBe(200);
    const status = await http(system.baseUrl, 'GET', `/api/ai-workflows/status/${id}`);
    expect(status.body).toMatchObject({ current_state: 'PLANNING', completed_phases: ['DISCOVERY'] });
    const series = await scrape(await opsUrl('projector'));
    expect(valueOf(series, 'topdog_projector_status_reads_total', { reason: 'warm-up' })).toBe(1);
    // Applying the command's events and answering the status found it in memory: no read of their own.
    expect(valueOf(series, 'topdog_projector_status_reads_total', { reason: 'needed' })).toBe(0);
    // The orchestrator wrote the workflow's snapshot as it stopped (if not before): the command read it, not the events.
    const orchestrator = await scrape(await opsUrl('orchestrator'));
    expect(valueOf(orchestrator, 'topdog_state_snapshot_reads_total', { outcome: 'used' })).toBe(1);
    expect(valueOf(orchestrator, 'topdog_state_snapshot_reads_total', { outcome: 'unusable' })).toBe(0);
    expect(valueOf(orchestrator, 'topdog_state_snapshot_reads_total', { outcome: 'none' })).toBe(0);
    const stored = await (await system.eventStore()).readStream(workflowStreamId(id));
    expect(stored.map((e) => e.type)).toEqual(['WorkflowInitialized', 'PhaseCompleted']);
    expect(verifyChain(stored).ok).toBe(true);
    expect(await system.refusals()).toEqual([]);
  });
});
