import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import { StoredWebhook, TopDogError, webhooksBucket, WebhookDelivery } from '@topdog/contracts';
import * as z from 'zod';

/** Delivery attempts kept per webhook, newest first. */
export const DELIVERY_LOG_SIZE = 300;

/**
 * A webhook's delivery log: its last attempts, newest first, and the position of the last event
 * it is done with (delivered or given up), so a commit delivered again after a restart does not
 * send that event again.
 */
const DeliveryLog = z.object({ done: z.number().int().default(0), deliveries: z.array(WebhookDelivery).default([]) });
export type DeliveryLog = z.infer<typeof DeliveryLog>;

const hookKey = (id: string) => `hook.${id}`;
const logKey = (id: string) => `log.${id}`;

/**
 * The webhooks' registrations and delivery logs, in the service's own KV bucket
 * (`<prefix>_webhooks`): `hook.<id>` holds a registration (its secret with it: it signs every
 * delivery), `log.<id>` its bounded delivery log. Nothing else reads the bucket.
 */
export class WebhookStore {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, prefix: string, replicas = 1): Promise<WebhookStore> {
    return new WebhookStore(await new Kvm(nc).create(webhooksBucket(prefix), { history: 1, replicas }));
  }

  async create(hook: StoredWebhook): Promise<void> {
    await this.kv.create(hookKey(hook.id), JSON.stringify(hook));
  }

  async get(id: string): Promise<StoredWebhook | undefined> {
    const entry = await this.read(() => this.kv.get(hookKey(id)));
    return entry && entry.operation === 'PUT' ? StoredWebhook.parse(entry.json()) : undefined;
  }

  async list(): Promise<StoredWebhook[]> {
    const hooks: StoredWebhook[] = [];
    const keys = await this.read(async () => {
      const found: string[] = [];
      for await (const key of await this.kv.keys('hook.*')) found.push(key);
      return found;
    });
    for (const key of keys) {
      const hook = await this.get(key.slice('hook.'.length));
      if (hook) hooks.push(hook);
    }
    return hooks.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async delete(id: string): Promise<void> {
    await this.kv.delete(hookKey(id));
    await this.kv.delete(logKey(id));
  }

  async log(id: string): Promise<DeliveryLog> {
    const entry = await this.read(() => this.kv.get(logKey(id)));
    return entry && entry.operation === 'PUT' ? DeliveryLog.parse(entry.json()) : { done: 0, deliveries: [] };
  }

  /**
   * Records one attempt (newest first, the oldest beyond DELIVERY_LOG_SIZE dropped), and the event
   * as done when it is. A compare-and-set on the log's revision, so that two instances taking
   * turns on one webhook never drop each other's entries.
   */
  async record(id: string, delivery: WebhookDelivery, done: boolean): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const entry = await this.kv.get(logKey(id));
      // The webhook was deleted (its log with it): nothing is written back.
      if (entry && entry.operation !== 'PUT') return;
      const log = entry ? DeliveryLog.parse(entry.json()) : { done: 0, deliveries: [] };
      const next: DeliveryLog = {
        done: done ? Math.max(log.done, delivery.eventId) : log.done,
        deliveries: [delivery, ...log.deliveries].slice(0, DELIVERY_LOG_SIZE),
      };
      try {
        if (entry) await this.kv.update(logKey(id), JSON.stringify(next), entry.revision);
        else await this.kv.create(logKey(id), JSON.stringify(next));
        return;
      } catch (err) {
        if (attempt >= 5) throw err;
      }
    }
  }

  private async read<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw new TopDogError('UNAVAILABLE', 'the webhook store did not answer; retry shortly', [], { cause: err });
    }
  }
}
