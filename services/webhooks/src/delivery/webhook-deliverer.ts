import type { NatsConnection } from '@nats-io/transport-node';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { backoffMs, webhookConsumerName, WEBHOOK_EVENT_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, type AnyEnvelope, type StoredWebhook } from '@topdog/contracts';
import { auditRecord, JetStreamEventQueue, type QueuedCommit } from '@topdog/event-store';
import type { Logger } from '@topdog/runtime';
import type { WebhookStore } from '../registry/webhook-store';
import { resolveTarget } from '../ssrf/resolve-target';
import { postJson } from './http-sender';
import type { ProjectLookup } from './project-lookup';
import { nextRetryDelay, type DeliveryRetryPolicy } from './retry-schedule';
import { signBody } from './signature';

export interface DelivererDeps {
  nc: NatsConnection;
  prefix: string;
  store: WebhookStore;
  projects: ProjectLookup;
  logger: Logger;
  allowPrivate: boolean;
  timeoutMs: number;
  retry: DeliveryRetryPolicy;
  /** How long a taken commit stays with this instance without a heartbeat (heartbeats are sent while it is worked on). */
  ackWaitMs: number;
}

/** The consumer's settings for one webhook: the workflow events, one commit handed out at a time. */
export const webhookQueueOptions = (prefix: string, hook: Pick<StoredWebhook, 'id' | 'events'>, ackWaitMs: number) => ({
  prefix,
  durable: webhookConsumerName(hook.id),
  category: 'workflow',
  eventTypes: hook.events,
  ackWaitMs,
  maxAckPending: 1,
});

const MAX_ERROR_CHARS = 500;

class Stopped extends Error {}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(new Stopped());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Stopped());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/**
 * One webhook's deliveries: takes the commits of its durable consumer one at a time (in stream
 * order; the consumer hands out one commit until it is acknowledged), posts each matching event
 * of the webhook's project, retrying with back-off until it is accepted or its retry window
 * ends, and acknowledges the commit only then. A commit taken when the process dies is handed
 * out again after the ack wait; the events of it already done (the log's `done` position) are
 * not sent again. A slow receiver holds up only its own webhook.
 */
export class WebhookDeliverer {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private done = 0;

  constructor(
    readonly hook: StoredWebhook,
    private readonly deps: DelivererDeps,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async loop(): Promise<void> {
    const { logger } = this.deps;
    let queue: JetStreamEventQueue | undefined;
    let failures = 0;
    while (!this.stopped) {
      try {
        if (!queue) {
          // Deleted meanwhile (through another instance): nothing to open, the supervisor stops this loop.
          if (!(await this.deps.store.get(this.hook.id))) return;
          this.done = (await this.deps.store.log(this.hook.id)).done;
          // Only registration creates the consumer: a delete between the check above and this
          // open must not bring it back.
          queue = await JetStreamEventQueue.openExisting(this.deps.nc, webhookQueueOptions(this.deps.prefix, this.hook, this.deps.ackWaitMs)).catch(
            (err: unknown) => {
              if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound) return undefined;
              throw err;
            },
          );
          if (!queue) return;
        }
        const [commit] = await queue.take(1, 2_000);
        if (commit) await this.deliverCommit(commit);
        failures = 0;
      } catch (err) {
        if (this.stopped || err instanceof Stopped) return;
        queue = undefined;
        failures++;
        logger.warn({ err, webhookId: this.hook.id }, 'webhook delivery loop failed; trying again');
        await sleep(backoffMs(failures), this.abort.signal).catch(() => undefined);
      }
    }
  }

  private async deliverCommit(commit: QueuedCommit): Promise<void> {
    // The ack deadline is extended while the commit's events are worked on (retries may take a day).
    const heartbeat = setInterval(() => commit.working(), Math.max(500, Math.floor(this.deps.ackWaitMs / 3)));
    try {
      // Sent again (its taker died or stopped part-way, maybe another instance): what the log
      // says is done, whoever did it, is not sent again.
      if (commit.redeliveries > 0) this.done = Math.max(this.done, (await this.deps.store.log(this.hook.id)).done);
      for (const event of commit.events) {
        // Deleted or stopping: nothing more is sent.
        if (this.stopped) throw new Stopped();
        if (event.position <= this.done) continue;
        if ((await this.deps.projects.of(event)) !== this.hook.projectId) continue;
        await this.deliver(event);
        this.done = event.position;
      }
    } catch (err) {
      // Stopping (a shutdown, a deletion): the commit goes back at once rather than after the ack wait.
      if (err instanceof Stopped) commit.nak(0);
      throw err;
    } finally {
      clearInterval(heartbeat);
    }
    await commit.ack();
  }

  /** Posts one event until it is accepted (2xx) or given up; every attempt is recorded in the delivery log. */
  private async deliver(event: AnyEnvelope): Promise<void> {
    const { store, retry, timeoutMs, allowPrivate } = this.deps;
    const body = JSON.stringify(auditRecord(event));
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'TopDog-Webhooks/1',
      [WEBHOOK_SIGNATURE_HEADER]: signBody(this.hook.secret, body),
      [WEBHOOK_EVENT_ID_HEADER]: String(event.position),
    };
    const firstAt = Date.now();
    for (let attempt = 1; ; attempt++) {
      let statusCode: number | null = null;
      let error: string | null = null;
      // Deleted (through any instance): nothing more is sent to it.
      if (!(await store.get(this.hook.id))) throw new Stopped();
      try {
        // Checked again at every attempt (DNS may have changed), and the request goes to the address checked.
        const target = await resolveTarget(this.hook.url, allowPrivate);
        statusCode = (await postJson(target, body, headers, timeoutMs)).statusCode;
        if (statusCode < 200 || statusCode > 299) error = `the receiver answered ${statusCode}`;
      } catch (err) {
        const reason = (err as { details?: { reason: string }[] }).details?.[0]?.reason;
        error = (reason ?? (err as Error).message ?? String(err)).slice(0, MAX_ERROR_CHARS);
      }
      const at = new Date().toISOString();
      if (error === null) {
        // Recorded even when stopping: the receiver has it, and it is not to be sent again.
        await store.record(this.hook.id, { eventId: event.position, attempt, statusCode, error, at }, true);
        return;
      }
      if (this.stopped) throw new Stopped();
      const wait = nextRetryDelay(attempt, Date.now() - firstAt, retry);
      if (wait === null) {
        await store.record(this.hook.id, { eventId: event.position, attempt, statusCode, error: `${error}; given up after ${attempt} attempts`, at }, true);
        this.deps.logger.warn({ webhookId: this.hook.id, position: event.position, attempts: attempt }, 'webhook delivery given up');
        return;
      }
      await store.record(this.hook.id, { eventId: event.position, attempt, statusCode, error, at }, false);
      await sleep(wait, this.abort.signal);
    }
  }
}
