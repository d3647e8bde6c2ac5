import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { REQUESTS } from '@topdog/contracts';
import { handleRequest } from '@topdog/runtime';
import type { Logger } from 'pino';
import type { ProjectorQueries } from '../projection/projector-queries';
import type { WorkflowProjection } from '../projection/workflow-projection';
import { LOGGER, PROJECTION, PROJECTOR_QUERIES } from './tokens';

/** Status, listing and prompt queries, and the rebuild command, over NATS (queue group `projector`). */
@Controller()
export class ProjectorController {
  constructor(
    @Inject(PROJECTOR_QUERIES) private readonly queries: ProjectorQueries,
    @Inject(PROJECTION) private readonly projection: WorkflowProjection,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern(REQUESTS.workflowStatus.subject)
  status(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.workflowStatus, raw, this.logger, (q) => this.queries.getStatus(q));
  }

  @MessagePattern(REQUESTS.listWorkflows.subject)
  list(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.listWorkflows, raw, this.logger, (q) => this.queries.listWorkflows(q));
  }

  @MessagePattern(REQUESTS.aiPrompt.subject)
  prompt(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.aiPrompt, raw, this.logger, (q) => this.queries.getPrompt(q));
  }

  @MessagePattern(REQUESTS.projectionProgress.subject)
  progress(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.projectionProgress, raw, this.logger, () => ({
      instanceId: this.logger.bindings().instance as string,
      ...this.projection.progress(),
    }));
  }

  @MessagePattern(REQUESTS.rebuildReadModels.subject)
  rebuild(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.rebuildReadModels, raw, this.logger, async (command) => {
      this.logger.warn({ reason: command.reason }, 'rebuild requested');
      const startedAt = new Date().toISOString();
      await this.projection.rebuild();
      return { instanceId: this.logger.bindings().instance as string, startedAt };
    });
  }
}
