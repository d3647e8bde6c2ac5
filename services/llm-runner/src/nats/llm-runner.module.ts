import { Module, type DynamicModule } from '@nestjs/common';
import type { ProvidersReport } from '@topdog/contracts';
import { HEALTH_CHECK, healthController, type HealthCheck } from '@topdog/runtime/nest';
import type { Logger } from 'pino';
import { ProvidersController } from './providers.controller';
import { LOGGER, PROVIDERS_REPORT } from './tokens';

export interface LlmRunnerModuleDeps {
  logger: Logger;
  health: HealthCheck;
  providers: () => ProvidersReport;
}

/** Nest wiring only: the dependencies are built in llm-runner.ts and passed in. */
@Module({})
export class LlmRunnerModule {
  static register(deps: LlmRunnerModuleDeps): DynamicModule {
    return {
      module: LlmRunnerModule,
      controllers: [ProvidersController, healthController('llm-runner')],
      providers: [
        { provide: LOGGER, useValue: deps.logger },
        { provide: HEALTH_CHECK, useValue: deps.health },
        { provide: PROVIDERS_REPORT, useValue: deps.providers },
      ],
    };
  }
}
