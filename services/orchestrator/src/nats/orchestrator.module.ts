import { Module, type DynamicModule } from '@nestjs/common';
import { HEALTH_CHECK, healthController, type HealthCheck } from '@topdog/runtime/nest';
import type { Logger } from 'pino';
import type { WorkflowCommands } from '../command-handling/workflow-commands';
import { LOGGER, WORKFLOW_COMMANDS } from './tokens';
import { WorkflowCommandsController } from './workflow-commands.controller';

export interface OrchestratorModuleDeps {
  logger: Logger;
  commands: WorkflowCommands;
  health: HealthCheck;
}

/** Nest wiring only: the dependencies are built in main.ts and passed in. */
@Module({})
export class OrchestratorModule {
  static register(deps: OrchestratorModuleDeps): DynamicModule {
    return {
      module: OrchestratorModule,
      controllers: [WorkflowCommandsController, healthController('orchestrator')],
      providers: [
        { provide: LOGGER, useValue: deps.logger },
        { provide: WORKFLOW_COMMANDS, useValue: deps.commands },
        { provide: HEALTH_CHECK, useValue: deps.health },
      ],
    };
  }
}
