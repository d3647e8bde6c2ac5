import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import * as z from 'zod';
import type { AdminApi } from '../admin/admin-api';
import { parse } from './parse';
import { ADMIN_API } from './tokens';

const RebuildBody = z.strictObject({ reason: z.string().min(1).max(500).default('requested over the API') }).default({ reason: 'requested over the API' });

/** Read-model operations: rebuild from the event store, and the current run's progress. */
@Controller('api/admin/read-models')
export class AdminController {
  constructor(@Inject(ADMIN_API) private readonly admin: AdminApi) {}

  @Post('rebuild')
  @HttpCode(202)
  rebuild(@Body() body: unknown) {
    return this.admin.rebuild(parse(RebuildBody, body ?? {}).reason);
  }

  @Get()
  progress() {
    return this.admin.progress();
  }
}
