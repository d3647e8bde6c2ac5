import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiKeyIdParams, CreateApiKeyRequest } from '@topdog/contracts';
import type { FastifyRequest } from 'fastify';
import type { ApiKeysApi } from '../auth/api-keys-api';
import { identityOf } from './authentication';
import { parse } from './parse';
import { API_KEYS_API } from './tokens';

/** API keys: create (the key is shown once), list (never a secret), revoke (at once, on every instance). */
@Controller('api/admin/keys')
export class ApiKeysController {
  constructor(@Inject(API_KEYS_API) private readonly keys: ApiKeysApi) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: unknown, @Req() req: FastifyRequest) {
    return this.keys.create(parse(CreateApiKeyRequest, body), identityOf(req));
  }

  @Get()
  list(@Req() req: FastifyRequest) {
    return this.keys.list(identityOf(req));
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param() params: unknown, @Req() req: FastifyRequest) {
    await this.keys.revoke(parse(ApiKeyIdParams, params, 'path').id, identityOf(req));
  }
}
