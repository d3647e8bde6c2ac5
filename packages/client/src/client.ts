import {
  ReadinessResponse,
  AiPromptResponse,
  ApiKeyListResponse,
  CreatedApiKeyResponse,
  CreatedWebhookResponse,
  type CreateApiKeyRequest,
  type CreateWebhookRequest,
  WebhookDeliveriesResponse,
  WebhookListResponse,
  AuditPageResponse,
  AuditRecordBody,
  CancelResponse,
  CompareWorkflowsResponse,
  CompletePhaseResponse,
  ForkResponse,
  type ForkRequest,
  ReopenedResponse,
  InitializeWorkflowResponse,
  ModelsResponse,
  PromptsResponse,
  ProvidersResponse,
  ReadModelsProgressResponse,
  RebuildResponse,
  RunPhaseResponse,
  VerifyResponse,
  WorkflowListResponse,
  WorkflowStatusResponse,
  type CompletePhaseRequest,
  type InitializeWorkflowRequest,
  type ListWorkflowsQuery,
  type WorkflowListItemBody,
  type RunPhaseRequest,
} from '@topdog/contracts';
import type { z } from 'zod';
import { TopDogApiError } from './api-error';
import { bodyChunks } from './body-chunks';
import { liveEvents, type LiveEvent, type LiveEventsOptions } from './live-events';

export interface TopDogClientOptions {
  /** The gateway, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  /** An API key (`tdk_…`) or an OIDC access token, sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  fetch?: typeof fetch;
  /** Sent with every request. */
  headers?: Record<string, string>;
}

/** The listing's filters, as the query string names them. */
export type ListFilters = Omit<z.input<typeof ListWorkflowsQuery>, 'limit'> & { limit?: number };

/** Per-command options: the API's retry and tracing headers. */
export interface CommandOptions {
  idempotencyKey?: string;
  correlationId?: string;
  /** complete-phase, approve, reject, send-back and cancel: the ETag the status returned; a mismatch is 412. */
  ifMatch?: string;
}

/**
 * A typed client of the TopDog REST API, built on the contracts: requests are typed from the
 * request schemas and every response is validated with its schema. Errors are TopDogApiError.
 */
export class TopDogClient {
  private readonly fetch: typeof fetch;
  readonly baseUrl: string;
  /** Sent with every request: the caller's headers and the credential. */
  private readonly headers: Record<string, string>;

  constructor(options: TopDogClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.headers = { ...options.headers, ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) };
  }

  /** Webhooks of the caller's projects: register (writer; the secret is in this answer only), list, delete, deliveries. */
  readonly webhooks = {
    create: async (body: z.input<typeof CreateWebhookRequest>) => (await this.call(CreatedWebhookResponse, 'POST', '/api/webhooks', body)).body,
    list: async () => (await this.call(WebhookListResponse, 'GET', '/api/webhooks')).body.webhooks,
    delete: (id: string): Promise<void> => this.deleteResource(`/api/webhooks/${encodeURIComponent(id)}`),
    /** The last attempts, newest first; `event_id` is the event's position. */
    deliveries: async (id: string) => (await this.call(WebhookDeliveriesResponse, 'GET', `/api/webhooks/${encodeURIComponent(id)}/deliveries`)).body.deliveries,
  };

  /** A DELETE answered 204 with no body. */
  private async deleteResource(path: string): Promise<void> {
    let res: Response;
    try {
      res = await this.fetch(`${this.baseUrl}${path}`, { method: 'DELETE', headers: this.headers });
    } catch (err) {
      throw TopDogApiError.unreachable(this.baseUrl, err);
    }
    if (!res.ok) throw TopDogApiError.fromResponse(res.status, await res.json().catch(() => undefined));
  }

  private async call<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown, extra: Record<string, string> = {}) {
    let res: Response;
    try {
      res = await this.fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...this.headers, ...extra },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw TopDogApiError.unreachable(this.baseUrl, err);
    }
    const json: unknown = await res.json().catch(() => undefined);
    if (!res.ok) throw TopDogApiError.fromResponse(res.status, json);
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new TopDogApiError(res.status, 'UNEXPECTED_RESPONSE', `the response does not match the API: ${parsed.error.message}`);
    return { body: parsed.data, etag: res.headers.get('etag') ?? undefined };
  }

  private static commandHeaders(o: CommandOptions = {}): Record<string, string> {
    const h: Record<string, string> = {};
    if (o.idempotencyKey) h['Idempotency-Key'] = o.idempotencyKey;
    if (o.correlationId) h['X-Correlation-Id'] = o.correlationId;
    if (o.ifMatch) h['If-Match'] = o.ifMatch;
    return h;
  }

  async initialize(body: z.input<typeof InitializeWorkflowRequest>, options?: CommandOptions) {
    return (await this.call(InitializeWorkflowResponse, 'POST', '/api/ai-workflows/initialize', body, TopDogClient.commandHeaders(options))).body;
  }

  async completePhase(body: z.input<typeof CompletePhaseRequest>, options?: CommandOptions) {
    return (await this.call(CompletePhaseResponse, 'POST', '/api/ai-workflows/complete-phase', body, TopDogClient.commandHeaders(options))).body;
  }

  async runPhase(workflowId: string, body: z.input<typeof RunPhaseRequest> = {}, options?: CommandOptions) {
    return (await this.call(RunPhaseResponse, 'POST', `/api/ai-workflows/${workflowId}/run-phase`, body, TopDogClient.commandHeaders(options))).body;
  }

  /** Approves the answer a gated phase holds: the phase completes; answers as completePhase does. */
  async approve(workflowId: string, body: { comment?: string } = {}, options?: CommandOptions) {
    const payload = body.comment !== undefined ? { comment: body.comment } : {};
    return (await this.call(CompletePhaseResponse, 'POST', `/api/ai-workflows/${workflowId}/approve`, payload, TopDogClient.commandHeaders(options))).body;
  }

  /** Rejects the held answer: the phase opens again, the comment reaching its next prompt as reviewer feedback. */
  async reject(workflowId: string, body: { comment: string }, options?: CommandOptions) {
    return (
      await this.call(ReopenedResponse, 'POST', `/api/ai-workflows/${workflowId}/reject`, { comment: body.comment }, TopDogClient.commandHeaders(options))
    ).body;
  }

  /** Re-opens an earlier phase; the answers from it on are superseded. */
  async sendBack(workflowId: string, body: { toPhase: string; reason: string }, options?: CommandOptions) {
    const payload = { to_phase: body.toPhase, reason: body.reason };
    return (await this.call(ReopenedResponse, 'POST', `/api/ai-workflows/${workflowId}/send-back`, payload, TopDogClient.commandHeaders(options))).body;
  }

  /** Cancels the workflow for good. */
  async cancel(workflowId: string, body: { reason: string }, options?: CommandOptions) {
    return (await this.call(CancelResponse, 'POST', `/api/ai-workflows/${workflowId}/cancel`, { reason: body.reason }, TopDogClient.commandHeaders(options)))
      .body;
  }

  /**
   * A new workflow from a recorded one: its answers before `from_phase` are copied (no model call)
   * and from `from_phase` on it runs anew, with the model, role prompts or requirements given here.
   */
  async fork(workflowId: string, body: z.input<typeof ForkRequest>, options?: { idempotencyKey?: string }) {
    return (await this.call(ForkResponse, 'POST', `/api/ai-workflows/${workflowId}/fork`, body, TopDogClient.commandHeaders(options))).body;
  }

  /** The status (with its ETag), or as it was at a revision. */
  async status(workflowId: string, options: { at?: number } = {}) {
    const query = options.at !== undefined ? `?at=${options.at}` : '';
    const { body, etag } = await this.call(WorkflowStatusResponse, 'GET', `/api/ai-workflows/status/${workflowId}${query}`);
    return { ...body, etag };
  }

  /** One page of the workflows in the caller's projects, newest first; pass `next_cursor` back as `cursor` for the next. */
  async list(filters: ListFilters = {}) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(filters)) if (value !== undefined) query.set(name, String(value));
    const qs = query.size > 0 ? `?${query.toString()}` : '';
    return (await this.call(WorkflowListResponse, 'GET', `/api/ai-workflows${qs}`)).body;
  }

  /** Every workflow matching the filters, newest first, fetching page after page (`limit` per page). */
  async *listAll(filters: Omit<ListFilters, 'cursor'> = {}): AsyncGenerator<WorkflowListItemBody> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...filters, cursor });
      yield* page.workflows;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  async prompt(workflowId: string) {
    return (await this.call(AiPromptResponse, 'POST', `/api/ai-workflows/get-ai-prompt/${workflowId}`)).body;
  }

  /** The role prompts a workflow started now gets, with their versions (a workflow keeps those it started with). */
  async prompts() {
    return (await this.call(PromptsResponse, 'GET', '/api/prompts')).body.prompts;
  }

  async providers() {
    return (await this.call(ProvidersResponse, 'GET', '/api/llm/providers')).body;
  }

  /** `GET /healthz`: whether the gateway answers at all (no credential needed). */
  async alive(): Promise<boolean> {
    try {
      return (await this.fetch(`${this.baseUrl}/healthz`)).ok;
    } catch (err) {
      throw TopDogApiError.unreachable(this.baseUrl, err);
    }
  }

  /** `GET /readyz`: each dependency of the deployment and whether it answers; the body of a 503 too. */
  async readiness(): Promise<ReadinessResponse> {
    let res: Response;
    try {
      res = await this.fetch(`${this.baseUrl}/readyz`);
    } catch (err) {
      throw TopDogApiError.unreachable(this.baseUrl, err);
    }
    const parsed = ReadinessResponse.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success) throw new TopDogApiError(res.status, 'UNEXPECTED_RESPONSE', `the readiness answer does not match the API: ${parsed.error.message}`);
    return parsed.data;
  }

  async models() {
    return (await this.call(ModelsResponse, 'GET', '/api/llm/models')).body;
  }

  async auditPage(workflowId: string, options: { fromRevision?: number; limit?: number } = {}) {
    const q = new URLSearchParams({ from_revision: String(options.fromRevision ?? 0), limit: String(options.limit ?? 100) });
    return (await this.call(AuditPageResponse, 'GET', `/api/ai-workflows/${workflowId}/audit?${q.toString()}`)).body;
  }

  /** The whole audit trail, streamed as NDJSON, one record at a time. */
  async *audit(workflowId: string, options: { fromRevision?: number } = {}): AsyncGenerator<AuditRecordBody> {
    let res: Response;
    try {
      res = await this.fetch(`${this.baseUrl}/api/ai-workflows/${workflowId}/audit?from_revision=${options.fromRevision ?? 0}`, {
        headers: { ...this.headers, accept: 'application/x-ndjson' },
      });
    } catch (err) {
      throw TopDogApiError.unreachable(this.baseUrl, err);
    }
    if (!res.ok || !res.body) throw TopDogApiError.fromResponse(res.status, await res.json().catch(() => undefined));
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of bodyChunks(res.body as ReadableStream<Uint8Array>)) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim()) yield AuditRecordBody.parse(JSON.parse(line));
      }
    }
    if (buffered.trim()) yield AuditRecordBody.parse(JSON.parse(buffered));
  }

  /** Two workflows phase by phase: both answers with a unified diff, the results' differences, what each took, totals. */
  async compare(a: string, b: string) {
    const q = new URLSearchParams({ a, b });
    return (await this.call(CompareWorkflowsResponse, 'GET', `/api/ai-workflows/compare?${q.toString()}`)).body;
  }

  async verify(workflowId: string) {
    return (await this.call(VerifyResponse, 'GET', `/api/ai-workflows/${workflowId}/audit/verify`)).body;
  }

  /** Rebuilds the read models from the event store (one projector instance replays). */
  async rebuildReadModels(reason?: string) {
    return (await this.call(RebuildResponse, 'POST', '/api/admin/read-models/rebuild', reason ? { reason } : {})).body;
  }

  /** How far the projector's current run is: position, target, events applied. */
  async readModelsProgress() {
    return (await this.call(ReadModelsProgressResponse, 'GET', '/api/admin/read-models')).body;
  }

  /** Creates an API key (admin): the answer is the only time the key itself is shown. */
  async createKey(body: z.input<typeof CreateApiKeyRequest>) {
    return (await this.call(CreatedApiKeyResponse, 'POST', '/api/admin/keys', body)).body;
  }

  /** The API keys (admin), never their secrets. */
  async listKeys() {
    return (await this.call(ApiKeyListResponse, 'GET', '/api/admin/keys')).body.keys;
  }

  /** Revokes an API key (admin), at once on every gateway instance. */
  async revokeKey(id: string): Promise<void> {
    await this.deleteResource(`/api/admin/keys/${encodeURIComponent(id)}`);
  }

  /** One workflow's events, history then live; reconnects with Last-Event-ID after a drop. */
  events(workflowId: string, options: Omit<LiveEventsOptions, 'projectId'> = {}): AsyncGenerator<LiveEvent> {
    return liveEvents(this.fetch, this.eventsUrl(`/api/ai-workflows/${workflowId}/events`, options), options, this.headers);
  }

  /** Every workflow's events from a global position (of the caller's projects; optionally one of them), then live. */
  allEvents(options: LiveEventsOptions = {}): AsyncGenerator<LiveEvent> {
    return liveEvents(this.fetch, this.eventsUrl('/api/events', options), options, this.headers);
  }

  private eventsUrl(path: string, options: LiveEventsOptions): URL {
    const url = new URL(`${this.baseUrl}${path}`);
    if (options.after !== undefined) url.searchParams.set('after', String(options.after));
    if (options.types?.length) url.searchParams.set('types', options.types.join(','));
    if (options.projectId) url.searchParams.set('project_id', options.projectId);
    return url;
  }
}
