import { Module, type DynamicModule } from '@nestjs/common';
import { HEALTH_CHECK, healthController, type HealthCheck } from '@topdog/runtime/nest';

/** Nest wiring only. Model calls arrive with the llm-runner issue; today it answers readiness. */
@Module({})
export class LlmRunnerModule {
  static register(deps: { health: HealthCheck }): DynamicModule {
    return {
      module: LlmRunnerModule,
      controllers: [healthController('llm-runner')],
      providers: [{ provide: HEALTH_CHECK, useValue: deps.health }],
    };
  }
}
