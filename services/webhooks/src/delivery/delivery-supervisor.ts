import type { StoredWebhook } from '@topdog/contracts';
import type { Logger } from '@topdog/runtime';
import type { WebhookStore } from '../registry/webhook-store';
import { WebhookDeliverer, type DelivererDeps } from './webhook-deliverer';

/**
 * Runs one deliverer per registered webhook. Registrations made or deleted through this
 * instance apply at once; those through another instance when the registrations are next read
 * (every `reconcileMs`). Every instance runs every webhook's loop: the consumer hands out one
 * commit at a time, so they take turns and order holds.
 */
export class DeliverySupervisor {
  private readonly loops = new Map<string, WebhookDeliverer>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly store: WebhookStore,
    private readonly deps: DelivererDeps,
    private readonly reconcileMs: number,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.reconcile();
    const tick = () => {
      this.timer = setTimeout(() => {
        this.reconcile()
          .catch((err: unknown) => this.logger.warn({ err }, 'could not read the webhook registrations; trying again'))
          .finally(() => {
            if (!this.closed) tick();
          });
      }, this.reconcileMs);
    };
    tick();
  }

  get running(): number {
    return this.loops.size;
  }

  add(hook: StoredWebhook): void {
    if (this.closed || this.loops.has(hook.id)) return;
    const deliverer = new WebhookDeliverer(hook, this.deps);
    this.loops.set(hook.id, deliverer);
    deliverer.start();
  }

  /**
   * Stops a webhook's loop: it sends nothing more. The loop may still be waiting for its next
   * commit (up to two seconds); `drain` waits for that too (at shutdown), otherwise it ends on its own.
   */
  async remove(id: string, drain = true): Promise<void> {
    const deliverer = this.loops.get(id);
    this.loops.delete(id);
    const stopped = deliverer?.stop();
    if (drain) await stopped;
    else stopped?.catch((err: unknown) => this.logger.warn({ err, webhookId: id }, 'a deleted webhook did not stop cleanly'));
  }

  private async reconcile(): Promise<void> {
    const hooks = await this.store.list();
    const ids = new Set(hooks.map((h) => h.id));
    for (const hook of hooks) this.add(hook);
    await Promise.all([...this.loops.keys()].filter((id) => !ids.has(id)).map((id) => this.remove(id)));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await Promise.all([...this.loops.keys()].map((id) => this.remove(id)));
  }
}
