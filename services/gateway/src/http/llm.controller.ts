import { Controller, Get, Inject } from '@nestjs/common';
import type { WorkflowApi } from '../workflows/workflow-api';
import { WORKFLOW_API } from './tokens';

/** The model side: which providers are configured and reachable, and the model table. */
@Controller('api/llm')
export class LlmController {
  constructor(@Inject(WORKFLOW_API) private readonly api: WorkflowApi) {}

  @Get('providers')
  async providers() {
    return (await this.api.providers()).body;
  }

  @Get('models')
  models() {
    return this.api.models().body;
  }
}
