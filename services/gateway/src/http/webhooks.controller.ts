import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { CreateWebhookRequest, WebhookIdParams } from '@topdog/contracts';
import type { FastifyRequest } from 'fastify';
import type { WebhooksApi } from '../webhooks/webhooks-api';
import { identityOf, scopeOf } from './authentication';
import { parse } from './parse';
import { WEBHOOKS_API } from './tokens';

/** Webhooks of the caller's projects: register (the secret is shown once), list (never a secret), delete, deliveries. */
@Controller('api/webhooks')
export class WebhooksController {
  constructor(@Inject(WEBHOOKS_API) private readonly webhooks: WebhooksApi) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: unknown, @Req() req: FastifyRequest) {
    return this.webhooks.create(parse(CreateWebhookRequest, body), identityOf(req));
  }

  @Get()
  list(@Req() req: FastifyRequest) {
    return this.webhooks.list(scopeOf(req));
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param() params: unknown, @Req() req: FastifyRequest) {
    await this.webhooks.delete(parse(WebhookIdParams, params, 'path').id, scopeOf(req));
  }

  @Get(':id/deliveries')
  deliveries(@Param() params: unknown, @Req() req: FastifyRequest) {
    return this.webhooks.deliveries(parse(WebhookIdParams, params, 'path').id, scopeOf(req));
  }
}
