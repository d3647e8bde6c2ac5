import { Controller, Inject, type Type } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { healthRequest, type ServiceName } from '@topdog/contracts';
import type { HealthCheck } from '../ops-server';
import { pino } from 'pino';
import { handleRequest } from '../reply';

/** Injection token: a function returning this instance's health. */
export const HEALTH_CHECK = Symbol('HEALTH_CHECK');
export type { HealthCheck };

/** A controller answering `<prefix>.health.<service>` for one service. */
export function healthController(service: ServiceName): Type<unknown> {
  const definition = healthRequest(service);
  // A check that throws is answered as INTERNAL and logged here, with the service's name.
  const logger = pino({ base: { service }, level: 'error' });

  @Controller()
  class HealthController {
    constructor(@Inject(HEALTH_CHECK) private readonly check: HealthCheck) {}

    @MessagePattern(definition.subject)
    health(@Payload() raw: unknown) {
      return handleRequest(definition, raw, logger, async () => ({ ...(await this.check()), now: new Date().toISOString() }));
    }
  }
  return HealthController;
}
