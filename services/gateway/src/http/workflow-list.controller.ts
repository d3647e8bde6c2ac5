import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import { ListWorkflowsQuery } from '@topdog/contracts';
import type { FastifyRequest } from 'fastify';
import type { WorkflowListApi } from '../listing/workflow-list-api';
import { scopeOf } from './authentication';
import { parse } from './parse';
import { WORKFLOW_LIST_API } from './tokens';

/** The workflows of the caller's projects, newest first, a page at a time. */
@Controller('api/ai-workflows')
export class WorkflowListController {
  constructor(@Inject(WORKFLOW_LIST_API) private readonly listing: WorkflowListApi) {}

  @Get()
  list(@Query() query: unknown, @Req() request: FastifyRequest) {
    return this.listing.list(parse(ListWorkflowsQuery, query ?? {}, 'query'), scopeOf(request));
  }
}
