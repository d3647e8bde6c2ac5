import { Module, type DynamicModule } from '@nestjs/common';
import { HEALTH_CHECK, healthController, type HealthCheck } from '@topdog/runtime/nest';
import type { Logger } from 'pino';
import type { ProjectorQueries } from '../projection/projector-queries';
import type { WorkflowProjection } from '../projection/workflow-projection';
import { ProjectorController } from './projector.controller';
import { LOGGER, PROJECTION, PROJECTOR_QUERIES } from './tokens';

export interface ProjectorModuleDeps {
  logger: Logger;
  queries: ProjectorQueries;
  projection: WorkflowProjection;
  health: HealthCheck;
}

/** Nest wiring only: the dependencies are built by the composition root and passed in. */
@Module({})
export class ProjectorModule {
  static register(deps: ProjectorModuleDeps): DynamicModule {
    return {
      module: ProjectorModule,
      controllers: [ProjectorController, healthController('projector')],
      providers: [
        { provide: LOGGER, useValue: deps.logger },
        { provide: PROJECTOR_QUERIES, useValue: deps.queries },
        { provide: PROJECTION, useValue: deps.projection },
        { provide: HEALTH_CHECK, useValue: deps.health },
      ],
    };
  }
}
