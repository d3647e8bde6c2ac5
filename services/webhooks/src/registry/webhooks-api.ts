import { randomBytes } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { inScope, TopDogError, type ReceivedOf, type REQUESTS, type StoredWebhook, type Webhook, type ProjectScope } from '@topdog/contracts';
import { JetStreamEventQueue } from '@topdog/event-store';
import type { DeliverySupervisor } from '../delivery/delivery-supervisor';
import { webhookQueueOptions } from '../delivery/webhook-deliverer';
import { resolveTarget } from '../ssrf/resolve-target';
import type { WebhookStore } from './webhook-store';

export interface WebhooksApiDeps {
  nc: NatsConnection;
  prefix: string;
  store: WebhookStore;
  supervisor: DeliverySupervisor;
  allowPrivate: boolean;
  ackWaitMs: number;
  maxPerProject: number;
  now?: () => Date;
}

const listed = (hook: StoredWebhook): Webhook => ({ id: hook.id, url: hook.url, events: hook.events, projectId: hook.projectId, createdAt: hook.createdAt });

/** Registering, listing and deleting webhooks, and their delivery logs: what the gateway asks over NATS, within the caller's projects. */
export function createWebhooksApi(deps: WebhooksApiDeps) {
  const { store, supervisor, nc, prefix } = deps;
  const now = deps.now ?? (() => new Date());

  /** The webhook, when the caller may see it; otherwise NOT_FOUND, the same for an unknown one and another project's. */
  async function visible(id: string, projects: ProjectScope): Promise<StoredWebhook> {
    const hook = await store.get(id);
    if (!hook || !inScope(projects, hook.projectId)) throw new TopDogError('NOT_FOUND', `webhook ${id} not found`);
    return hook;
  }

  return {
    async register(req: ReceivedOf<typeof REQUESTS.registerWebhook>) {
      if (!inScope(req.projects, req.projectId)) {
        throw new TopDogError('FORBIDDEN', `this credential may not register webhooks in project ${req.projectId}`, [
          { field: 'project_id', reason: "not one of the credential's projects" },
        ]);
      }
      await resolveTarget(req.url, deps.allowPrivate);
      // A bound, not a guarantee: two registrations at once may both pass it.
      if ((await store.list()).filter((h) => h.projectId === req.projectId).length >= deps.maxPerProject) {
        throw new TopDogError('CONFLICT', `project ${req.projectId} already has ${deps.maxPerProject} webhooks (WEBHOOK_MAX_PER_PROJECT)`, [
          { field: 'project_id', reason: `at most ${deps.maxPerProject} webhooks a project; delete one first` },
        ]);
      }
      const hook: StoredWebhook = {
        id: randomBytes(8).toString('hex'),
        url: req.url,
        events: req.events,
        projectId: req.projectId,
        createdAt: now().toISOString(),
        createdBy: req.createdBy,
        secret: `whsec_${randomBytes(24).toString('base64url')}`,
      };
      // The consumer first, starting at new events: every event after this answer reaches the webhook.
      await JetStreamEventQueue.ensure(nc, webhookQueueOptions(prefix, hook, deps.ackWaitMs));
      try {
        await store.create(hook);
      } catch (err) {
        await JetStreamEventQueue.remove(nc, prefix, webhookQueueOptions(prefix, hook, deps.ackWaitMs).durable).catch(() => undefined);
        throw new TopDogError('UNAVAILABLE', 'the webhook store did not answer; retry shortly', [], { cause: err });
      }
      supervisor.add(hook);
      return { ...listed(hook), secret: hook.secret };
    },

    async delete(req: ReceivedOf<typeof REQUESTS.deleteWebhook>) {
      const hook = await visible(req.id, req.projects);
      await supervisor.remove(hook.id, false);
      await store.delete(hook.id);
      await JetStreamEventQueue.remove(nc, prefix, webhookQueueOptions(prefix, hook, deps.ackWaitMs).durable);
      return { id: hook.id };
    },

    async list(req: ReceivedOf<typeof REQUESTS.listWebhooks>) {
      return { webhooks: (await store.list()).filter((h) => inScope(req.projects, h.projectId)).map(listed) };
    },

    async deliveries(req: ReceivedOf<typeof REQUESTS.webhookDeliveries>) {
      const hook = await visible(req.id, req.projects);
      return { deliveries: (await store.log(hook.id)).deliveries };
    },
  };
}
export type WebhooksApi = ReturnType<typeof createWebhooksApi>;
