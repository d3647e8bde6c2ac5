import { Module, type DynamicModule } from '@nestjs/common';
import type { Readiness } from '../workflows/readiness';
import type { WorkflowApi } from '../workflows/workflow-api';
import { HealthController } from './health.controller';
import { LlmController } from './llm.controller';
import { READINESS, WORKFLOW_API } from './tokens';
import { WorkflowsController } from './workflows.controller';

export interface GatewayModuleDeps {
  api: WorkflowApi;
  readiness: Readiness;
}

/** Nest wiring only: the dependencies are built by the composition root and passed in. */
@Module({})
export class GatewayModule {
  static register(deps: GatewayModuleDeps): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [WorkflowsController, LlmController, HealthController],
      providers: [
        { provide: WORKFLOW_API, useValue: deps.api },
        { provide: READINESS, useValue: deps.readiness },
      ],
    };
  }
}
