import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  CompletePhase,
  InitializeWorkflow,
  SUBJECTS,
  type CompletePhaseResult,
  type InitializeWorkflowResult,
  type Reply,
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
}
