import { Controller, Inject, type Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { healthRequest, type HealthStatus, type Reply, type ServiceName } from '@topdog/contracts';

/** Injection token: a function returning this instance's health. */
export const HEALTH_CHECK = Symbol('HEALTH_CHECK');
export type HealthCheck = () => Promise<HealthStatus> | HealthStatus;

/** A controller answering `<prefix>.health.<service>` for one service. */
export function healthController(service: ServiceName): Type<unknown> {
  @Controller()
  class HealthController {
    constructor(@Inject(HEALTH_CHECK) private readonly check: HealthCheck) {}

    @MessagePattern(healthRequest(service).subject)
    async health(): Promise<Reply<HealthStatus>> {
      return { ok: true, value: await this.check() };
    }
  }
  return HealthController;
}
