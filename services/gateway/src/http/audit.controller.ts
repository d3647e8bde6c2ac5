import { Readable } from 'node:stream';
import { Controller, Get, Headers, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { WorkflowIdParams } from '@topdog/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod';
import type { AuditApi } from '../audit/audit-api';
import { scopeOf } from './authentication';
import { parse } from './parse';
import { AUDIT_API } from './tokens';

const AuditQuery = z.strictObject({
  from_revision: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});

const wantsNdjson = (accept: string | undefined) => /application\/(x-)?ndjson/i.test(accept ?? '');

/** The audit trail (paged JSON, or NDJSON streamed with `Accept: application/x-ndjson`) and its hash-chain check. */
@Controller('api/ai-workflows')
export class AuditController {
  constructor(@Inject(AUDIT_API) private readonly audit: AuditApi) {}

  @Get(':workflow_id/audit')
  async trail(
    @Param() params: unknown,
    @Query() query: unknown,
    @Headers('accept') accept: string | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const { workflow_id } = parse(WorkflowIdParams, params, 'path');
    const { from_revision, limit } = parse(AuditQuery, query ?? {}, 'query');
    if (!wantsNdjson(accept)) {
      return reply.send(await this.audit.page(workflow_id, scopeOf(req), from_revision, limit));
    }
    const records = this.audit.records(workflow_id, scopeOf(req), from_revision);
    const first = await records.next(); // a missing workflow is a 404 before any byte is sent
    const lines = async function* () {
      if (!first.done) yield `${JSON.stringify(first.value)}\n`;
      for await (const record of records) yield `${JSON.stringify(record)}\n`;
    };
    return reply.type('application/x-ndjson').send(Readable.from(lines()));
  }

  @Get(':workflow_id/audit/verify')
  async verify(@Param() params: unknown, @Req() req: FastifyRequest) {
    const { workflow_id } = parse(WorkflowIdParams, params, 'path');
    return this.audit.verify(workflow_id, scopeOf(req));
  }
}
