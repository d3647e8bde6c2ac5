import * as z from 'zod';
import { HealthStatus, ProjectionProgress, RebuildReadModels, RebuildResult, GetProjectionProgress, type ServiceName } from '../health';
import { GetProviders, ProvidersReport } from '../llm/providers';
import {
  CompletePhase,
  CompletePhaseResult,
  GetLlmCallStatus,
  InitializeWorkflow,
  InitializeWorkflowResult,
  LlmCallStatus,
  RecordLlmResult,
  RecordLlmResultResult,
  RunPhase,
  RunPhaseResult,
} from '../workflow/workflow.commands';
import { ApprovePhase, CancelWorkflow, CancelWorkflowResult, RejectPhase, ReopenedResult, SendBack } from '../workflow/approval.commands';
import { ListWorkflows, WorkflowPage } from '../workflow/workflow-list';
import { AiPrompt, GetAiPrompt, GetWorkflowStatus, WorkflowStatus } from '../workflow/workflow.queries';
import {
  DeletedWebhook,
  DeleteWebhook,
  GetWebhookDeliveries,
  ListWebhooks,
  RegisteredWebhook,
  RegisterWebhook,
  WebhookDeliveries,
  WebhookList,
} from '../webhooks/webhooks';
import { ForkWorkflow, ForkWorkflowResult } from '../workflow/fork.commands';
import { GetPromptLibrary, PromptLibraryReport } from '../workflow/role-prompts';
import { defineRequest } from './define';

/**
 * Every NATS request/reply of the system. The sender (`request` in the runtime) and the
 * handler (`handleRequest`, with `@MessagePattern(def.subject)`) both take the definition, so
 * what is sent and answered is typed on both sides and validated where it arrives.
 */
export const REQUESTS = {
  /** Commands: answered by the orchestrator (queue group `orchestrator`). */
  initializeWorkflow: defineRequest({
    subject: 'cmd.workflow.initialize',
    request: InitializeWorkflow,
    reply: InitializeWorkflowResult,
    answeredBy: 'orchestrator',
    sentBy: ['gateway'],
  }),
  completePhase: defineRequest({
    subject: 'cmd.workflow.complete-phase',
    request: CompletePhase,
    reply: CompletePhaseResult,
    answeredBy: 'orchestrator',
    sentBy: ['gateway'],
  }),
  runPhase: defineRequest({ subject: 'cmd.workflow.run-phase', request: RunPhase, reply: RunPhaseResult, answeredBy: 'orchestrator', sentBy: ['gateway'] }),
  /** A person's decisions on a workflow: approve or reject a gated phase's answer, send back, cancel. */
  approvePhase: defineRequest({
    subject: 'cmd.workflow.approve',
    request: ApprovePhase,
    reply: CompletePhaseResult,
    answeredBy: 'orchestrator',
    sentBy: ['gateway'],
  }),
  rejectPhase: defineRequest({ subject: 'cmd.workflow.reject', request: RejectPhase, reply: ReopenedResult, answeredBy: 'orchestrator', sentBy: ['gateway'] }),
  sendBack: defineRequest({ subject: 'cmd.workflow.send-back', request: SendBack, reply: ReopenedResult, answeredBy: 'orchestrator', sentBy: ['gateway'] }),
  cancelWorkflow: defineRequest({
    subject: 'cmd.workflow.cancel',
    request: CancelWorkflow,
    reply: CancelWorkflowResult,
    answeredBy: 'orchestrator',
    sentBy: ['gateway'],
  }),
  /** A new workflow from a recorded one: earlier answers copied, the rest run anew. */
  forkWorkflow: defineRequest({
    subject: 'cmd.workflow.fork',
    request: ForkWorkflow,
    reply: ForkWorkflowResult,
    answeredBy: 'orchestrator',
    sentBy: ['gateway'],
  }),
  recordLlmResult: defineRequest({
    subject: 'cmd.workflow.record-llm-result',
    request: RecordLlmResult,
    reply: RecordLlmResultResult,
    answeredBy: 'orchestrator',
    sentBy: ['llm-runner'],
  }),
  /** Answered by the orchestrator: the writer knows best whether a call still waits for its result. */
  llmCallStatus: defineRequest({
    subject: 'query.workflow.llm-call',
    request: GetLlmCallStatus,
    reply: LlmCallStatus,
    answeredBy: 'orchestrator',
    sentBy: ['llm-runner'],
  }),
  /** The prompts a workflow started now would get: the orchestrator's, as it decides with them. */
  promptLibrary: defineRequest({
    subject: 'query.prompts',
    request: GetPromptLibrary,
    reply: PromptLibraryReport,
    answeredBy: 'orchestrator',
    sentBy: ['gateway'],
  }),

  /** Queries and operations: answered by the projector (queue group `projector`). */
  workflowStatus: defineRequest({
    subject: 'query.workflow.status',
    request: GetWorkflowStatus,
    reply: WorkflowStatus,
    answeredBy: 'projector',
    sentBy: ['gateway'],
  }),
  aiPrompt: defineRequest({ subject: 'query.workflow.prompt', request: GetAiPrompt, reply: AiPrompt, answeredBy: 'projector', sentBy: ['gateway'] }),
  /** A page of workflows in the caller's projects, newest first. */
  listWorkflows: defineRequest({
    subject: 'query.workflow.list',
    request: ListWorkflows,
    reply: WorkflowPage,
    answeredBy: 'projector',
    sentBy: ['gateway'],
  }),
  rebuildReadModels: defineRequest({
    subject: 'projector.rebuild',
    request: RebuildReadModels,
    reply: RebuildResult,
    answeredBy: 'projector',
    sentBy: ['gateway'],
  }),
  projectionProgress: defineRequest({
    subject: 'projector.progress',
    request: GetProjectionProgress,
    reply: ProjectionProgress,
    answeredBy: 'projector',
    sentBy: ['gateway'],
  }),

  /** Answered by the llm-runner. */
  llmProviders: defineRequest({
    subject: 'query.llm.providers',
    request: GetProviders,
    reply: ProvidersReport,
    answeredBy: 'llm-runner',
    sentBy: ['gateway', 'orchestrator'],
  }),

  /** Answered by the webhooks service (queue group `webhooks`), the only holder of the registrations. */
  registerWebhook: defineRequest({
    subject: 'cmd.webhooks.register',
    request: RegisterWebhook,
    reply: RegisteredWebhook,
    answeredBy: 'webhooks',
    sentBy: ['gateway'],
  }),
  deleteWebhook: defineRequest({
    subject: 'cmd.webhooks.delete',
    request: DeleteWebhook,
    reply: DeletedWebhook,
    answeredBy: 'webhooks',
    sentBy: ['gateway'],
  }),
  listWebhooks: defineRequest({
    subject: 'query.webhooks.list',
    request: ListWebhooks,
    reply: WebhookList,
    answeredBy: 'webhooks',
    sentBy: ['gateway'],
  }),
  webhookDeliveries: defineRequest({
    subject: 'query.webhooks.deliveries',
    request: GetWebhookDeliveries,
    reply: WebhookDeliveries,
    answeredBy: 'webhooks',
    sentBy: ['gateway'],
  }),
} as const;

const HealthCheck = z.object({}).default({});

/** Each service's health, answered by every instance of it; the gateway's readiness asks. */
export const healthRequest = (service: ServiceName) =>
  defineRequest({ subject: `health.${service}`, request: HealthCheck, reply: HealthStatus, answeredBy: service, sentBy: ['gateway'] });
