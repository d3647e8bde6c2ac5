import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { REQUESTS } from '@topdog/contracts';
import { handleRequest } from '@topdog/runtime';
import type { Logger } from 'pino';
import type { WebhooksApi } from '../registry/webhooks-api';
import { LOGGER, WEBHOOKS_API } from './tokens';

/** Registrations and delivery logs over NATS (queue group `webhooks`); the gateway asks, with the caller's projects. */
@Controller()
export class WebhooksController {
  constructor(
    @Inject(WEBHOOKS_API) private readonly api: WebhooksApi,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern(REQUESTS.registerWebhook.subject)
  register(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.registerWebhook, raw, this.logger, (r) => this.api.register(r));
  }

  @MessagePattern(REQUESTS.deleteWebhook.subject)
  delete(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.deleteWebhook, raw, this.logger, (r) => this.api.delete(r));
  }

  @MessagePattern(REQUESTS.listWebhooks.subject)
  list(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.listWebhooks, raw, this.logger, (r) => this.api.list(r));
  }

  @MessagePattern(REQUESTS.webhookDeliveries.subject)
  deliveries(@Payload() raw: unknown) {
    return handleRequest(REQUESTS.webhookDeliveries, raw, this.logger, (r) => this.api.deliveries(r));
  }
}
