import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApproveRequest,
  CancelRequest,
  CompletePhaseRequest,
  RejectRequest,
  RunPhaseRequest,
  SendBackRequest,
  StatusQuery,
  WorkflowIdParams,
} from '@topdog/contracts';
import { ForkBody, InitializeBody } from './request-schemas';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readRequestContext } from '../workflows/request-context';
import type { ApiResult, WorkflowApi } from '../workflows/workflow-api';
import { identityOf, scopeOf } from './authentication';
import { parse } from './parse';
import { WORKFLOW_API } from './tokens';

function respond<T>(reply: FastifyReply, result: ApiResult<T>, correlationId?: string): T {
  void reply.headers(result.headers);
  if (correlationId) void reply.header('X-Correlation-Id', correlationId);
  return result.body;
}

/** The original system's four endpoints, with their paths and JSON shapes; run-phase; a person's approve, reject, send-back and cancel. */
@Controller('api/ai-workflows')
export class WorkflowsController {
  constructor(@Inject(WORKFLOW_API) private readonly api: WorkflowApi) {}

  @Post('initialize')
  @HttpCode(200)
  async initialize(@Body() body: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const ctx = readRequestContext(req.headers, identityOf(req));
    return respond(reply, await this.api.initialize(parse(InitializeBody, body), ctx), ctx.correlationId);
  }

  @Post('complete-phase')
  @HttpCode(200)
  async completePhase(@Body() body: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const ctx = readRequestContext(req.headers, identityOf(req));
    return respond(reply, await this.api.completePhase(parse(CompletePhaseRequest, body), ctx), ctx.correlationId);
  }

  /** `?at=<revision>`: the status as it was then (time travel). */
  @Get('status/:workflow_id')
  async status(@Param() params: unknown, @Query() query: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { workflow_id } = parse(WorkflowIdParams, params, 'path');
    const { at } = parse(StatusQuery, query ?? {}, 'query');
    return respond(reply, await this.api.status(workflow_id, scopeOf(req), at));
  }

  /** Asks the llm-runner to run the current phase with the workflow's model: 202, the answer arrives as events. */
  @Post(':workflow_id/run-phase')
  @HttpCode(202)
  async runPhase(@Param() params: unknown, @Body() body: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { workflow_id } = parse(WorkflowIdParams, params, 'path');
    const ctx = readRequestContext(req.headers, identityOf(req));
    return respond(reply, await this.api.runPhase(workflow_id, parse(RunPhaseRequest, body ?? {}), ctx), ctx.correlationId);
  }

  /** Approves the answer a gated phase holds: the phase completes (as complete-phase answers). */
  @Post(':workflow_id/approve')
  @HttpCode(200)
  async approve(@Param() params: unknown, @Body() body: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { workflow_id } = parse(WorkflowIdParams, params, 'path');
    const ctx = readRequestContext(req.headers, identityOf(req));
    return respond(reply, await this.api.approve(workflow_id, parse(ApproveRequest, body ?? {}), ctx), ctx.correlationId);
  }

  /** Rejects the held answer: the phase opens again, the comment reaching its next prompt. */
  @Post(':workflow_id/reject')
  @HttpCode(200)
  async reject(@Param() params: unknown, @Body() body: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { workflow_id } = parse(WorkflowIdParams, params, 'path');
    const ctx = readRequestContext(req.headers, identityOf(req));
    return respond(reply, await this.api.reject(workflow_id, parse(RejectRequest, body ?? {}), ctx), ctx.correlationId);
  }

  /** Re-opens an earlier phase; later answers are superseded. */
  @Post(':workflow_id/send-back')
  @HttpCode(200)
  async sendBack(@Param() params: unknown, @Body() body: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { workflow_id } = parse(WorkflowIdParams, params, 'path');
    const ctx = readRequestContext(req.headers, identityOf(req));
    return respond(reply, await this.api.sendBack(workflow_id, parse(SendBackRequest, body ?? {}), ctx), ctx.correlationId);
  }

  /** Cancels the workflow for good. */
  @Post(':workflow_id/cancel')
  @HttpCode(200)
  async cancel(@Param() params: unknown, @Body() body: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { workflow_id } = parse(WorkflowIdParams, params, 'path');
    const ctx = readRequestContext(req.headers, identityOf(req));
    return respond(reply, await this.api.cancel(workflow_id, parse(CancelRequest, body ?? {}), ctx), ctx.correlationId);
  }

  /** A new workflow from this one: answers before from_phase copied (no model call), the rest run anew. */
  @Post(':workflow_id/fork')
  @HttpCode(201)
  async fork(@Param() params: unknown, @Body() body: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { workflow_id } = parse(WorkflowIdParams, params, 'path');
    const ctx = readRequestContext(req.headers, identityOf(req));
    return respond(reply, await this.api.fork(workflow_id, parse(ForkBody, body), ctx), ctx.correlationId);
  }

  @Post('get-ai-prompt/:workflow_id')
  @HttpCode(200)
  async prompt(@Param() params: unknown, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const { workflow_id } = parse(WorkflowIdParams, params, 'path');
    return respond(reply, await this.api.prompt(workflow_id, scopeOf(req)));
  }
}
