import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { REQUESTS, type ProvidersReport } from '@topdog/contracts';
import { handleRequest } from '@topdog/runtime';
import type { Logger } from 'pino';
import { LOGGER, PROVIDERS_REPORT } from './tokens';

/** Which providers this instance can call and whether they answered (queue group `llm-runner`). */
@Controller()
export class ProvidersController {
  constructor(
    @Inject(PROVIDERS_REPORT) private readonly report: () => ProvidersReport,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern(REQUESTS.llmProviders.subject)
  providers(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.llmProviders, raw, this.logger, () => this.report());
  }
}
