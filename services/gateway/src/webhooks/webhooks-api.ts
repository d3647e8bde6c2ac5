import type { NatsConnection } from '@nats-io/transport-node';
import {
  inScope,
  REQUESTS,
  TopDogError,
  type CreatedWebhookResponse,
  type CreateWebhookRequest,
  type Identity,
  type ProjectScope,
  type Webhook,
  type WebhookBody,
  type WebhookDeliveriesResponse,
  type WebhookListResponse,
} from '@topdog/contracts';
import { request } from '@topdog/runtime';

const body = (w: Webhook): WebhookBody => ({ id: w.id, url: w.url, events: w.events, project_id: w.projectId, created_at: w.createdAt });

/**
 * `/api/webhooks`: registrations live with the webhooks service (its own KV bucket); the gateway
 * only asks it, with the caller's projects, and turns the answers into the API's snake_case.
 */
export function createWebhooksApi(nc: NatsConnection, prefix: string, timeoutMs: number) {
  return {
    async create(req: CreateWebhookRequest, identity: Identity): Promise<CreatedWebhookResponse> {
      if (!inScope(identity.projects, req.project_id)) {
        throw new TopDogError('FORBIDDEN', `this credential may not register webhooks in project ${req.project_id}`, [
          { field: 'project_id', reason: "not one of the credential's projects" },
        ]);
      }
      const w = await request(
        nc,
        prefix,
        REQUESTS.registerWebhook,
        { projects: identity.projects, createdBy: identity.actor, url: req.url, events: req.events, projectId: req.project_id },
        timeoutMs,
      );
      return { ...body(w), secret: w.secret };
    },

    async list(projects: ProjectScope): Promise<WebhookListResponse> {
      const { webhooks } = await request(nc, prefix, REQUESTS.listWebhooks, { projects }, timeoutMs);
      return { webhooks: webhooks.map(body) };
    },

    async delete(id: string, projects: ProjectScope): Promise<void> {
      await request(nc, prefix, REQUESTS.deleteWebhook, { id, projects }, timeoutMs);
    },

    async deliveries(id: string, projects: ProjectScope): Promise<WebhookDeliveriesResponse> {
      const { deliveries } = await request(nc, prefix, REQUESTS.webhookDeliveries, { id, projects }, timeoutMs);
      return {
        deliveries: deliveries.map((d) => ({ event_id: d.eventId, attempt: d.attempt, status_code: d.statusCode, error: d.error, at: d.at })),
      };
    },
  };
}
export type WebhooksApi = ReturnType<typeof createWebhooksApi>;
