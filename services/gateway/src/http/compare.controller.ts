import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import { CompareWorkflowsQuery } from '@topdog/contracts';
import type { FastifyRequest } from 'fastify';
import type { CompareApi } from '../compare/compare-api';
import { scopeOf } from './authentication';
import { parse } from './parse';
import { COMPARE_API } from './tokens';

/** Two workflows of the caller's projects, phase by phase. */
@Controller('api/ai-workflows')
export class CompareController {
  constructor(@Inject(COMPARE_API) private readonly comparisons: CompareApi) {}

  @Get('compare')
  compare(@Query() query: unknown, @Req() request: FastifyRequest) {
    const { a, b } = parse(CompareWorkflowsQuery, query ?? {}, 'query');
    return this.comparisons.compare(a, b, scopeOf(request));
  }
}
