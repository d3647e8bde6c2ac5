import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { REQUESTS } from '@topdog/contracts';
import { handleRequest } from '@topdog/runtime';
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

  @MessagePattern(REQUESTS.initializeWorkflow.subject)
  initialize(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.initializeWorkflow, raw, this.logger, (command) => {
      this.logger.info({ workflowId: command.data.workflowId, correlationId: command.metadata.correlationId }, 'initialize workflow');
      return this.commands.initialize(command);
    });
  }

  @MessagePattern(REQUESTS.completePhase.subject)
  completePhase(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.completePhase, raw, this.logger, (command) => {
      this.logger.info(
        { workflowId: command.data.workflowId, correlationId: command.metadata.correlationId, expectedState: command.data.expectedState },
        'complete phase',
      );
      return this.commands.completePhase(command);
    });
  }

  @MessagePattern(REQUESTS.runPhase.subject)
  runPhase(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.runPhase, raw, this.logger, (command) => {
      this.logger.info({ workflowId: command.data.workflowId, callId: command.data.callId, correlationId: command.metadata.correlationId }, 'run phase');
      return this.commands.runPhase(command);
    });
  }

  @MessagePattern(REQUESTS.approvePhase.subject)
  approve(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.approvePhase, raw, this.logger, (command) => {
      this.logger.info({ workflowId: command.data.workflowId, correlationId: command.metadata.correlationId }, 'approve phase');
      return this.commands.approve(command);
    });
  }

  @MessagePattern(REQUESTS.rejectPhase.subject)
  reject(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.rejectPhase, raw, this.logger, (command) => {
      this.logger.info({ workflowId: command.data.workflowId, correlationId: command.metadata.correlationId }, 'reject phase');
      return this.commands.reject(command);
    });
  }

  @MessagePattern(REQUESTS.sendBack.subject)
  sendBack(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.sendBack, raw, this.logger, (command) => {
      const { workflowId, toPhase } = command.data;
      this.logger.info({ workflowId, toPhase, correlationId: command.metadata.correlationId }, 'send back');
      return this.commands.sendBack(command);
    });
  }

  @MessagePattern(REQUESTS.cancelWorkflow.subject)
  cancel(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.cancelWorkflow, raw, this.logger, (command) => {
      this.logger.info({ workflowId: command.data.workflowId, correlationId: command.metadata.correlationId }, 'cancel workflow');
      return this.commands.cancel(command);
    });
  }

  @MessagePattern(REQUESTS.forkWorkflow.subject)
  fork(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.forkWorkflow, raw, this.logger, (command) => {
      const { workflowId, parentWorkflowId, fromPhase } = command.data;
      this.logger.info({ workflowId, parentWorkflowId, fromPhase, correlationId: command.metadata.correlationId }, 'fork workflow');
      return this.commands.fork(command);
    });
  }

  @MessagePattern(REQUESTS.recordLlmResult.subject)
  recordLlmResult(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.recordLlmResult, raw, this.logger, (command) => {
      const { workflowId, callId, outcome } = command.data;
      this.logger.info({ workflowId, callId, ok: outcome.ok, correlationId: command.metadata.correlationId }, 'record llm result');
      return this.commands.recordLlmResult(command);
    });
  }

  @MessagePattern(REQUESTS.llmCallStatus.subject)
  llmCallStatus(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.llmCallStatus, raw, this.logger, (query) => this.commands.llmCallStatus(query));
  }

  @MessagePattern(REQUESTS.promptLibrary.subject)
  promptLibrary(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.promptLibrary, raw, this.logger, () => this.commands.promptLibrary());
  }
}
