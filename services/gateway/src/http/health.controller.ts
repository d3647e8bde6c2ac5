import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Readiness } from '../workflows/readiness';
import { READINESS } from './tokens';

/** Liveness (the gateway is up) and readiness (every service answers over NATS). */
@Controller()
export class HealthController {
  constructor(@Inject(READINESS) private readonly readiness: Readiness) {}

  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(@Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.readiness();
    void reply.status(report.ready ? 200 : 503);
    return report;
  }
}
