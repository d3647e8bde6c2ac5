import { z } from 'zod';
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
import { ListWorkflows, WorkflowPage } from '../workflow/workflow-list';
import { AiPrompt, GetAiPrompt, GetWorkflowStatus, WorkflowStatus } from '../workflow/workflow.queries';
import { defineRequest } from './define';

/**
 * Every NATS request/reply of the system. The sender (`request` in the runtime) and the
 * handler (`handleRequest`, with `@MessagePattern(def.subject)`) both take the definition, so
 * what is sent and answered is typed on both sides and validated where it arrives.
 */
export const REQUESTS = {
  /** Commands: answered by the orchestrator (queue group `orchestrator`). */
  initializeWorkflow: defineRequest({ subject: 'cmd.workflow.initialize', request: InitializeWorkflow, reply: InitializeWorkflowResult }),
  completePhase: defineRequest({ subject: 'cmd.workflow.complete-phase', request: CompletePhase, reply: CompletePhaseResult }),
  runPhase: defineRequest({ subject: 'cmd.workflow.run-phase', request: RunPhase, reply: RunPhaseResult }),
  recordLlmResult: defineRequest({ subject: 'cmd.workflow.record-llm-result', request: RecordLlmResult, reply: RecordLlmResultResult }),
  /** Answered by the orchestrator: the writer knows best whether a call still waits for its result. */
  llmCallStatus: defineRequest({ subject: 'query.workflow.llm-call', request: GetLlmCallStatus, reply: LlmCallStatus }),

  /** Queries and operations: answered by the projector (queue group `projector`). */
  workflowStatus: defineRequest({ subject: 'query.workflow.status', request: GetWorkflowStatus, reply: WorkflowStatus }),
  aiPrompt: defineRequest({ subject: 'query.workflow.prompt', request: GetAiPrompt, reply: AiPrompt }),
  /** A page of workflows in the caller's projects, newest first. */
  listWorkflows: defineRequest({ subject: 'query.workflow.list', request: ListWorkflows, reply: WorkflowPage }),
  rebuildReadModels: defineRequest({ subject: 'projector.rebuild', request: RebuildReadModels, reply: RebuildResult }),
  projectionProgress: defineRequest({ subject: 'projector.progress', request: GetProjectionProgress, reply: ProjectionProgress }),

  /** Answered by the llm-runner. */
  llmProviders: defineRequest({ subject: 'query.llm.providers', request: GetProviders, reply: ProvidersReport }),
} as const;

const HealthCheck = z.object({}).default({});

/** Each service's health, answered by every instance of it. */
export const healthRequest = (service: ServiceName) => defineRequest({ subject: `health.${service}`, request: HealthCheck, reply: HealthStatus });
