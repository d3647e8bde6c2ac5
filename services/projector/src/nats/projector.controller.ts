import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  GetAiPrompt,
  GetProjectionProgress,
  GetWorkflowStatus,
  RebuildReadModels,
  SUBJECTS,
  type AiPrompt,
  type ProjectionProgress,
  type Reply,
  type WorkflowStatus,
} from '@topdog/contracts';
import { replyTo } from '@topdog/runtime';
import type { Logger } from 'pino';
import type { ProjectorQueries } from '../projection/projector-queries';
import type { WorkflowProjection } from '../projection/workflow-projection';
import { LOGGER, PROJECTION, PROJECTOR_QUERIES } from './tokens';

/** Status and prompt queries, and the rebuild command, over NATS (queue group `projector`). */
@Controller()
export class ProjectorController {
  constructor(
    @Inject(PROJECTOR_QUERIES) private readonly queries: ProjectorQueries,
    @Inject(PROJECTION) private readonly projection: WorkflowProjection,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern(SUBJECTS.workflowStatus)
  status(@Payload() raw: unknown): Promise<Reply<WorkflowStatus>> {
    return replyTo(GetWorkflowStatus, raw, this.logger, (q) => this.queries.getStatus(q));
  }

  @MessagePattern(SUBJECTS.aiPrompt)
  prompt(@Payload() raw: unknown): Promise<Reply<AiPrompt>> {
    return replyTo(GetAiPrompt, raw, this.logger, (q) => this.queries.getPrompt(q));
  }

  @MessagePattern(SUBJECTS.projectionProgress)
  progress(@Payload() raw: unknown): Promise<Reply<ProjectionProgress>> {
    return replyTo(GetProjectionProgress, raw ?? {}, this.logger, async () => ({
      instanceId: this.logger.bindings().instance as string,
      ...this.projection.progress(),
    }));
  }

  @MessagePattern(SUBJECTS.rebuildReadModels)
  rebuild(@Payload() raw: unknown): Promise<Reply<{ instanceId: string; startedAt: string }>> {
    return replyTo(RebuildReadModels, raw, this.logger, async (command) => {
      this.logger.warn({ reason: command.reason }, 'rebuild requested');
      const startedAt = new Date().toISOString();
      await this.projection.rebuild();
      return { instanceId: this.logger.bindings().instance as string, startedAt };
    });
  }
}
