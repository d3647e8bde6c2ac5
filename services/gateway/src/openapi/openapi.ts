import {
  AiPromptResponse,
  ApiKeyIdParams,
  ApproveRequest,
  CancelRequest,
  ForkRequest,
  ForkResponse,
  CancelResponse,
  RejectRequest,
  ReopenedResponse,
  SendBackRequest,
  WorkflowEvent,
  ApiKeyListResponse,
  CreateApiKeyRequest,
  CreatedApiKeyResponse,
  CreatedWebhookResponse,
  CreateWebhookRequest,
  CompletePhaseRequest,
  CompletePhaseResponse,
  ErrorResponse,
  InitializeWorkflowRequest,
  InitializeWorkflowResponse,
  ListWorkflowsQuery,
  CompareWorkflowsQuery,
  CompareWorkflowsResponse,
  ModelsResponse,
  PromptsResponse,
  ProvidersResponse,
  RunPhaseRequest,
  RunPhaseResponse,
  WebhookDeliveriesResponse,
  WebhookIdParams,
  WebhookListResponse,
  WorkflowIdParams,
  WorkflowListResponse,
  WorkflowStatusResponse,
} from '@topdog/contracts';
import * as z from 'zod';
import { createDocument } from 'zod-openapi';

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const error = (description: string) => ({ description, ...json(ErrorResponse) });

const commandHeaders = z.object({
  'Idempotency-Key': z.string().max(255).optional().meta({ description: 'A retry with the same key is applied once and gets the same answer.' }),
  'X-Correlation-Id': z.string().max(255).optional(),
});

const ifMatch = z.object({
  'If-Match': z.string().optional().meta({ description: 'The ETag from status: apply only at that revision (else 412).' }),
});

/** The type names a workflow's events have (and an SSE `event:` line carries). */
const EVENT_TYPES = WorkflowEvent.options.map((o) => o.shape.type.value).join(', ');

const common = {
  400: error('VALIDATION_FAILED: every bad field is named in details'),
  401: error('UNAUTHORIZED: no credential, a malformed Authorization header, or an unknown, revoked, expired or invalid one'),
  403: error("FORBIDDEN: the credential's role may not do this"),
  413: error('PAYLOAD_TOO_LARGE'),
  429: {
    ...error('RATE_LIMITED: over the requests a minute (or, for live events, the open streams) allowed to one identity; retry after Retry-After'),
    headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' as const } } },
  },
  503: error('UNAVAILABLE: a service did not answer in time; retry'),
};

/** The OpenAPI document, generated from the same zod schemas that validate requests. */
export function openApiDocument() {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'TopDog orchestrator',
      version: '0.1.0',
      description:
        'Walks a software change through six phases, each owned by an AI role. Event-sourced over NATS. ' +
        'Every endpoint but /healthz, /readyz and /docs needs `Authorization: Bearer <API key or OIDC token>`; ' +
        "another project's workflow answers 404, as an unknown one does.",
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key (tdk_…) or, when configured, an OIDC access token (JWT)' },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/ai-workflows': {
        get: {
          summary: "The workflows of the caller's projects, newest first (by creation, then workflow id); page on with next_cursor",
          requestParams: { query: ListWorkflowsQuery },
          responses: { 200: { description: 'A page of workflows', ...json(WorkflowListResponse) }, ...common },
        },
      },
      '/api/ai-workflows/compare': {
        get: {
          summary:
            'Two workflows phase by phase: both answers and a unified diff, the structured results’ differences, model, prompt version, tokens, cost and time; totals',
          requestParams: { query: CompareWorkflowsQuery },
          responses: {
            200: { description: 'The comparison', ...json(CompareWorkflowsResponse) },
            404: error('NOT_FOUND: a or b is unknown or in another project'),
            ...common,
          },
        },
      },
      '/api/ai-workflows/initialize': {
        post: {
          summary: 'Start a workflow in DISCOVERY',
          requestParams: { header: commandHeaders },
          requestBody: json(InitializeWorkflowRequest),
          responses: {
            200: { description: 'Started', ...json(InitializeWorkflowResponse) },
            409: error('CONFLICT'),
            422: error('IDEMPOTENCY_KEY_REUSED, PROVIDER_NOT_CONFIGURED (auto_advance), BUDGET_EXCEEDED'),
            ...common,
          },
        },
      },
      '/api/ai-workflows/complete-phase': {
        post: {
          summary: "Record the current phase's answer and advance",
          requestParams: {
            header: commandHeaders.extend({
              'If-Match': z.string().optional().meta({ description: 'The ETag from status: complete only at that revision (else 412).' }),
            }),
          },
          requestBody: json(CompletePhaseRequest),
          responses: {
            200: { description: 'Advanced', ...json(CompletePhaseResponse) },
            404: error('NOT_FOUND'),
            409: error('CONFLICT: not in expected_state, already COMPLETE or CANCELLED, or the phase awaits approval'),
            412: error('PRECONDITION_FAILED: If-Match does not match'),
            422: error('IDEMPOTENCY_KEY_REUSED'),
            ...common,
          },
        },
      },
      '/api/ai-workflows/{workflow_id}/approve': {
        post: {
          summary: 'Approve the answer a gated phase holds (ApprovalRequested): the phase completes, as complete-phase answers',
          requestParams: { path: WorkflowIdParams, header: commandHeaders.extend(ifMatch.shape) },
          requestBody: json(ApproveRequest),
          responses: {
            200: { description: "Approved and advanced (under auto_advance, call_id names the next phase's model call)", ...json(CompletePhaseResponse) },
            404: error('NOT_FOUND'),
            409: error('CONFLICT: nothing awaits approval, or the workflow is CANCELLED'),
            412: error('PRECONDITION_FAILED: If-Match does not match'),
            422: error('IDEMPOTENCY_KEY_REUSED'),
            ...common,
          },
        },
      },
      '/api/ai-workflows/{workflow_id}/reject': {
        post: {
          summary: "Reject the held answer: the phase opens again, the comment entering its owner's next prompt as reviewer feedback",
          requestParams: { path: WorkflowIdParams, header: commandHeaders.extend(ifMatch.shape) },
          requestBody: json(RejectRequest),
          responses: {
            200: { description: 'Re-opened (under auto_advance, call_id names the new model call)', ...json(ReopenedResponse) },
            404: error('NOT_FOUND'),
            409: error('CONFLICT: nothing awaits approval, or the workflow is CANCELLED'),
            412: error('PRECONDITION_FAILED: If-Match does not match'),
            422: error('IDEMPOTENCY_KEY_REUSED'),
            ...common,
          },
        },
      },
      '/api/ai-workflows/{workflow_id}/send-back': {
        post: {
          summary: 'Re-open a phase before the current one: its and later answers are superseded (kept in the audit), the reason reaches its next prompt',
          requestParams: { path: WorkflowIdParams, header: commandHeaders.extend(ifMatch.shape) },
          requestBody: json(SendBackRequest),
          responses: {
            200: { description: 'Re-opened', ...json(ReopenedResponse) },
            404: error('NOT_FOUND'),
            409: error('CONFLICT: to_phase is not before the current state, or the workflow is COMPLETE or CANCELLED'),
            412: error('PRECONDITION_FAILED: If-Match does not match'),
            422: error('IDEMPOTENCY_KEY_REUSED'),
            ...common,
          },
        },
      },
      '/api/ai-workflows/{workflow_id}/cancel': {
        post: {
          summary: "Cancel the workflow (terminal): every later command is 409; a running call's late answer is recorded and changes nothing",
          requestParams: { path: WorkflowIdParams, header: commandHeaders.extend(ifMatch.shape) },
          requestBody: json(CancelRequest),
          responses: {
            200: { description: 'Cancelled', ...json(CancelResponse) },
            404: error('NOT_FOUND'),
            409: error('CONFLICT: already COMPLETE or CANCELLED'),
            412: error('PRECONDITION_FAILED: If-Match does not match'),
            422: error('IDEMPOTENCY_KEY_REUSED'),
            ...common,
          },
        },
      },
      '/api/ai-workflows/{workflow_id}/fork': {
        post: {
          summary:
            "A new workflow from this one: its answers before from_phase are copied (naming the events copied; no model call) and it runs anew from there, with the model, role prompts or requirements given here (else the parent's)",
          requestParams: { path: WorkflowIdParams, header: commandHeaders },
          requestBody: json(ForkRequest),
          responses: {
            201: { description: 'Forked (under auto_advance, call_id names the first model call)', ...json(ForkResponse) },
            404: error('NOT_FOUND: the workflow is unknown or in another project'),
            409: error('CONFLICT: the workflow has not completed the phases before from_phase'),
            422: error("IDEMPOTENCY_KEY_REUSED, or PROVIDER_NOT_CONFIGURED for the fork's model under auto_advance"),
            ...common,
          },
        },
      },
      '/api/ai-workflows/status/{workflow_id}': {
        get: {
          summary: "A workflow's status (ETag: its revision); ?at=<revision> for the status as it was then",
          requestParams: { path: WorkflowIdParams, query: z.object({ at: z.number().int().optional() }) },
          responses: { 200: { description: 'Status', ...json(WorkflowStatusResponse) }, 404: error('NOT_FOUND'), ...common },
        },
      },
      '/api/ai-workflows/get-ai-prompt/{workflow_id}': {
        post: {
          summary: 'The model request for the current phase',
          requestParams: { path: WorkflowIdParams },
          responses: {
            200: { description: 'Prompt', ...json(AiPromptResponse) },
            404: error('NOT_FOUND'),
            409: error('CONFLICT: workflow is COMPLETE or CANCELLED'),
            ...common,
          },
        },
      },
      '/api/ai-workflows/{workflow_id}/run-phase': {
        post: {
          summary: "Run the current phase with the workflow's model (the answer arrives as events; see status.llm)",
          requestParams: { path: WorkflowIdParams, header: commandHeaders },
          requestBody: json(RunPhaseRequest),
          responses: {
            202: { description: 'Requested', ...json(RunPhaseResponse) },
            404: error('NOT_FOUND'),
            409: error('CONFLICT: not in expected_state, a call is already running, the phase awaits approval, or COMPLETE or CANCELLED'),
            422: error('PROVIDER_NOT_CONFIGURED (details name the missing setting), BUDGET_EXCEEDED, or IDEMPOTENCY_KEY_REUSED'),
            ...common,
          },
        },
      },
      '/api/ai-workflows/{workflow_id}/events': {
        get: {
          summary: "Server-Sent Events: the workflow's events after a position, then live (token deltas as `token` events without an id)",
          requestParams: {
            path: WorkflowIdParams,
            query: z.object({
              after: z.number().int().optional(),
              types: z
                .string()
                .optional()
                .meta({ description: `Comma-separated event types (${EVENT_TYPES}); \`token\` for live token deltas.` }),
            }),
            header: z.object({ 'Last-Event-ID': z.string().optional().meta({ description: 'Resume exactly after this event id (a position).' }) }),
          },
          responses: { 200: { description: 'text/event-stream' }, 404: error('NOT_FOUND'), ...common },
        },
      },
      '/api/events': {
        get: {
          summary: "Server-Sent Events: every workflow's events after a global position, then live",
          requestParams: { query: z.object({ after: z.number().int().optional(), types: z.string().optional(), project_id: z.string().optional() }) },
          responses: { 200: { description: 'text/event-stream' }, ...common },
        },
      },
      '/api/ai-workflows/{workflow_id}/audit': {
        get: {
          summary: 'The audit trail: every envelope field and each event hash; paged JSON, or NDJSON with Accept: application/x-ndjson',
          requestParams: { path: WorkflowIdParams, query: z.object({ from_revision: z.number().int().optional(), limit: z.number().int().optional() }) },
          responses: { 200: { description: 'Audit records' }, 404: error('NOT_FOUND'), ...common },
        },
      },
      '/api/ai-workflows/{workflow_id}/audit/verify': {
        get: {
          summary: "Checks the stream's hash chain; names the first broken link",
          requestParams: { path: WorkflowIdParams },
          responses: { 200: { description: 'Chain report' }, 404: error('NOT_FOUND'), ...common },
        },
      },
      '/api/admin/read-models/rebuild': {
        post: {
          summary: 'Rebuild the read models from the event store (one projector instance replays)',
          responses: { 202: { description: 'Started' }, ...common },
        },
      },
      '/api/admin/read-models': {
        get: {
          summary: "The projector's current run: position, target, events applied, caught up",
          responses: { 200: { description: 'Progress' }, ...common },
        },
      },
      '/api/llm/providers': {
        get: {
          summary: 'Providers: configured and reachable at the last check',
          responses: { 200: { description: 'Providers', ...json(ProvidersResponse) }, 503: error('UNAVAILABLE: no llm-runner answered') },
        },
      },
      '/api/llm/models': {
        get: {
          summary: 'The model table: names, providers and prices per million tokens',
          responses: { 200: { description: 'Models', ...json(ModelsResponse) } },
        },
      },
      '/api/prompts': {
        get: {
          summary: 'The role prompts a workflow started now gets: role, phases, version, SHA-256 and text (a workflow keeps those it started with)',
          responses: { 200: { description: 'Prompts', ...json(PromptsResponse) }, ...common },
        },
      },
      '/api/admin/keys': {
        post: {
          summary: 'Create an API key (admin): the key is in this answer only; what is stored is its hash',
          requestBody: json(CreateApiKeyRequest),
          responses: { 201: { description: 'Created', ...json(CreatedApiKeyResponse) }, ...common },
        },
        get: {
          summary: 'The API keys (admin), never their secrets',
          responses: { 200: { description: 'Keys', ...json(ApiKeyListResponse) }, ...common },
        },
      },
      '/api/admin/keys/{id}': {
        delete: {
          summary: 'Revoke an API key (admin), at once on every gateway instance',
          requestParams: { path: ApiKeyIdParams },
          responses: { 204: { description: 'Revoked' }, 404: error('NOT_FOUND'), ...common },
        },
      },
      '/api/webhooks': {
        post: {
          summary:
            "Register a webhook (writer) for one of the caller's projects: each matching event is POSTed as its audit record, signed with the secret (shown in this answer only) in X-TopDog-Signature",
          requestBody: json(CreateWebhookRequest),
          responses: {
            201: { description: 'Registered', ...json(CreatedWebhookResponse) },
            ...common,
            403: error("FORBIDDEN: the credential's role may not register webhooks, or project_id is not one of its projects"),
            409: error('CONFLICT: the project already has WEBHOOK_MAX_PER_PROJECT webhooks'),
          },
        },
        get: {
          summary: "The webhooks of the caller's projects, never their secrets",
          responses: { 200: { description: 'Webhooks', ...json(WebhookListResponse) }, ...common },
        },
      },
      '/api/webhooks/{id}': {
        delete: {
          summary: 'Delete a webhook (writer): no event is sent to it afterwards',
          requestParams: { path: WebhookIdParams },
          responses: { 204: { description: 'Deleted' }, 404: error("NOT_FOUND: unknown, or another project's"), ...common },
        },
      },
      '/api/webhooks/{id}/deliveries': {
        get: {
          summary: "A webhook's last delivery attempts, newest first (event_id is the event's position)",
          requestParams: { path: WebhookIdParams },
          responses: {
            200: { description: 'Deliveries', ...json(WebhookDeliveriesResponse) },
            404: error("NOT_FOUND: unknown, or another project's"),
            ...common,
          },
        },
      },
      '/healthz': { get: { summary: 'Liveness', security: [], responses: { 200: { description: 'Up' } } } },
      '/readyz': {
        get: {
          summary: 'Readiness: every service answers over NATS',
          security: [],
          responses: { 200: { description: 'Ready' }, 503: { description: 'Not ready' } },
        },
      },
    },
  });
}
