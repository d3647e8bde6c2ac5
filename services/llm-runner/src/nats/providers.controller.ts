import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { GetProviders, SUBJECTS, type ProvidersReport, type Reply } from '@topdog/contracts';
import { replyTo } from '@topdog/runtime';
import type { Logger } from 'pino';
import { LOGGER, PROVIDERS_REPORT } from './tokens';

/** Which providers this instance can call and whether they answered (queue group `llm-runner`). */
@Controller()
export class ProvidersController {
  constructor(
    @Inject(PROVIDERS_REPORT) private readonly report: () => ProvidersReport,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern(SUBJECTS.llmProviders)
  providers(@Payload() raw: unknown): Promise<Reply<ProvidersReport>> {
    return replyTo(GetProviders, raw ?? {}, this.logger, async () => this.report());
  }
}
