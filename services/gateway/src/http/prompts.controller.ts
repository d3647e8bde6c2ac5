import { Controller, Get, Inject } from '@nestjs/common';
import type { WorkflowApi } from '../workflows/workflow-api';
import { WORKFLOW_API } from './tokens';

/** The role prompts a workflow started now gets; a workflow keeps those it started with. */
@Controller('api/prompts')
export class PromptsController {
  constructor(@Inject(WORKFLOW_API) private readonly api: WorkflowApi) {}

  @Get()
  async list() {
    return (await this.api.prompts()).body;
  }
}
