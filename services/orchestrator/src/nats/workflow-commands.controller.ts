import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CompletePhase,
  GetLlmCallStatus,
  InitializeWorkflow,
  RecordLlmResult,
  RunPhase,
  SUBJECTS,
  type CompletePhaseResult,
  type InitializeWorkflowResult,
  type LlmCallStatus,
  type RecordLlmResultResult,
  type Reply,
  type RunPhaseResult,
} from '@topdog/contracts';
import { replyTo } from '@topdog/runtime';
import type { Logger } from 'pino';
import type { WorkflowCommands } from '../command-handling/workflow-commands';
import { LOGGER, WORKFLOW_COMMANDS } from './tokens';

/** Workflow commands over NATS request-reply (queue group `orchestrator`). */
@Controller()
export class WorkflowCommandsController {
  constructor(
    @Inject(WORKFLOW_COMMANDS) private readonly commands: WorkflowCommands,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern(SUBJECTS.initializeWorkflow)
  initialize(@Payload() raw: unknown): Promise<Reply<InitializeWorkflowResult>> {
    return replyTo(InitializeWorkflow, raw, this.logger, (command) => {
      const log = this.logger.child({ workflowId: command.data.workflowId, correlationId: command.metadata.correlationId });
      log.info('initialize workflow');
      return this.commands.initialize(command);
    });
  }

  @MessagePattern(SUBJECTS.completePhase)
  completePhase(@Payload() raw: unknown): Promise<Reply<CompletePhaseResult>> {
    return replyTo(CompletePhase, raw, this.logger, (command) => {
      const log = this.logger.child({ workflowId: command.data.workflowId, correlationId: command.metadata.correlationId });
      log.info({ expectedState: command.data.expectedState }, 'complete phase');
      return this.commands.completePhase(command);
    });
  }

  @MessagePattern(SUBJECTS.runPhase)
  runPhase(@Payload() raw: unknown): Promise<Reply<RunPhaseResult>> {
    return replyTo(RunPhase, raw, this.logger, (command) => {
      this.logger.info({ workflowId: command.data.workflowId, callId: command.data.callId, correlationId: command.metadata.correlationId }, 'run phase');
      return this.commands.runPhase(command);
    });
  }

  @MessagePattern(SUBJECTS.recordLlmResult)
  recordLlmResult(@Payload() raw: unknown): Promise<Reply<RecordLlmResultResult>> {
    return replyTo(RecordLlmResult, raw, this.logger, (command) => {
      const { workflowId, callId, outcome } = command.data;
      this.logger.info({ workflowId, callId, ok: outcome.ok, correlationId: command.metadata.correlationId }, 'record llm result');
      return this.commands.recordLlmResult(command);
    });
  }

  @MessagePattern(SUBJECTS.llmCallStatus)
  llmCallStatus(@Payload() raw: unknown): Promise<Reply<LlmCallStatus>> {
    return replyTo(GetLlmCallStatus, raw, this.logger, (query) => this.commands.llmCallStatus(query));
  }
}
