import { Module, type DynamicModule } from '@nestjs/common';
import { HEALTH_CHECK, healthController, type HealthCheck } from '@topdog/runtime/nest';
import type { Logger } from 'pino';
import type { WebhooksApi } from '../registry/webhooks-api';
import { LOGGER, WEBHOOKS_API } from './tokens';
import { WebhooksController } from './webhooks.controller';

export interface WebhooksModuleDeps {
  logger: Logger;
  health: HealthCheck;
  api: WebhooksApi;
}

/** Nest wiring only: the dependencies are built in webhooks.ts and passed in. */
@Module({})
export class WebhooksModule {
  static register(deps: WebhooksModuleDeps): DynamicModule {
    return {
      module: WebhooksModule,
      controllers: [WebhooksController, healthController('webhooks')],
      providers: [
        { provide: LOGGER, useValue: deps.logger },
        { provide: HEALTH_CHECK, useValue: deps.health },
        { provide: WEBHOOKS_API, useValue: deps.api },
      ],
    };
  }
}
