import type { KurrentDBClient, PersistentSubscriptionToAll, PersistentSubscriptionToAllResolvedEvent } from '@kurrent/kurrentdb-client';
import type { EventQueueOptions, QueuedCommit } from '../jetstream/jetstream.event-queue';
import { envelopeOf, kurrentDbClient, loadKurrentDb, unavailableOr, type KurrentDb } from './kurrentdb.event-store';

/**
 * How long a taken request may stay with a taker that neither acknowledges nor hands it back.
 * KurrentDB cannot extend it as JetStream's `working()` does, so it is the longest a model call
 * may run before another taker is given its request; `ackWaitMs` does not apply here.
 */
const MESSAGE_TIMEOUT_MS = 10 * 60_000;
/** Handed back or timed out this many times, an event would be parked, out of the queue: in effect never. */
const MAX_RETRIES = 1_000_000;
/** Events the server pushes to one taker ahead of its takes, when the options do not say (`prefetch`). */
const DEFAULT_PREFETCH = 16;

/** A delivered event with the subscription that delivered it: acknowledged or handed back through that one. */
interface Delivered {
  from: PersistentSubscriptionToAll;
  resolved: PersistentSubscriptionToAllResolvedEvent;
}

/**
 * Work sharing on KurrentDB: a persistent subscription to `$all` (`<prefix>.<durable>`), filtered
 * to the queued event types, created by whoever starts first from the log's start. Each event
 * goes to one taker at a time; one not acknowledged within MESSAGE_TIMEOUT_MS, handed back, or
 * held by a taker whose connection drops, goes to another.
 */
export class KurrentDbEventQueue {
  private readonly buffered: Delivered[] = [];
  /** Takers waiting for the next event. */
  private readonly waiting = new Set<() => void>();
  /** Why the subscription ended (a dropped connection, say): `take` fails with it, and the taker opens the queue again. */
  private failure: Error | undefined;
  private subscription: PersistentSubscriptionToAll;

  private constructor(
    private readonly kurrent: KurrentDb,
    private readonly client: KurrentDBClient,
    private readonly group: string,
    private readonly options: EventQueueOptions,
  ) {
    this.subscription = this.subscribe();
  }

  /** Joins the group; what it delivers is buffered for `take`, and its end is kept for `take` to report. */
  private subscribe(): PersistentSubscriptionToAll {
    const subscription = this.client.subscribeToPersistentSubscriptionToAll(this.group, { bufferSize: this.options.prefetch ?? DEFAULT_PREFETCH });
    subscription.on('data', (resolved: PersistentSubscriptionToAllResolvedEvent) => {
      this.buffered.push({ from: subscription, resolved });
      this.wake();
    });
    const ended = (err?: Error) => {
      if (this.subscription !== subscription) return;
      this.failure ??= err ?? new Error(`the persistent subscription ${this.group} ended`);
      this.wake();
    };
    subscription.on('error', ended);
    subscription.on('end', () => ended());
    subscription.on('close', () => ended());
    return subscription;
  }

  /** The group's name on the database: one per deployment prefix. */
  private static groupOf(options: EventQueueOptions): string {
    return `${options.prefix}.${options.durable}`;
  }

  /** Creates the persistent subscription when it does not exist (the writer does, at start-up). */
  static async ensure(connectionString: string, options: EventQueueOptions): Promise<void> {
    const kurrent = await loadKurrentDb();
    const { persistentSubscriptionToAllSettingsFromDefaults, START, eventTypeFilter, PersistentSubscriptionExistsError } = kurrent;
    const client = kurrentDbClient(kurrent, connectionString);
    try {
      await client.createPersistentSubscriptionToAll(
        KurrentDbEventQueue.groupOf(options),
        persistentSubscriptionToAllSettingsFromDefaults({ startFrom: START, messageTimeout: MESSAGE_TIMEOUT_MS, maxRetryCount: MAX_RETRIES }),
        { filter: eventTypeFilter({ prefixes: [...options.eventTypes] }) },
      );
    } catch (err) {
      if (!(err instanceof PersistentSubscriptionExistsError)) throw unavailableOr(kurrent, err, 'create the call request queue');
    } finally {
      await client.dispose();
    }
  }

  static async open(connectionString: string, options: EventQueueOptions): Promise<KurrentDbEventQueue> {
    await KurrentDbEventQueue.ensure(connectionString, options);
    const kurrent = await loadKurrentDb();
    return new KurrentDbEventQueue(kurrent, kurrentDbClient(kurrent, connectionString), KurrentDbEventQueue.groupOf(options), options);
  }

  /** Up to `max` queued events (each its own commit), waiting at most `waitMs` for the first. */
  async take(max: number, waitMs: number): Promise<QueuedCommit[]> {
    if (this.buffered.length === 0 && !this.failure) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiting.delete(done);
          resolve();
        };
        const timer = setTimeout(done, waitMs);
        this.waiting.add(done);
      });
    }
    if (this.failure) {
      // The subscription ended: joined again for the next take. What it held goes to another
      // member (or to this one again) once the server sees the connection gone.
      const failure = this.failure;
      this.failure = undefined;
      this.buffered.length = 0;
      const old = this.subscription;
      this.subscription = this.subscribe();
      old.removeAllListeners();
      void old.unsubscribe().catch(() => undefined);
      throw unavailableOr(this.kurrent, failure, 'take call requests');
    }
    const ours = `${this.options.prefix}.${this.options.category}-`;
    const taken: QueuedCommit[] = [];
    while (this.buffered.length > 0 && taken.length < max) {
      const { from, resolved } = this.buffered.shift()!;
      const event = resolved.event;
      // Another deployment's event of the same type (the group filters by type only): not ours to take.
      if (!event || !this.options.eventTypes.includes(event.type) || !event.streamId.startsWith(ours)) {
        await from.ack(resolved);
        continue;
      }
      taken.push({
        events: [envelopeOf(resolved, this.options.prefix)],
        redeliveries: resolved.retryCount ?? 0,
        storedAtMs: event.created.getTime(),
        working: () => undefined,
        ack: () => from.ack(resolved),
        // Handed back after the delay (KurrentDB's nack redelivers at once); a nack that fails leaves it to the time-out.
        nak: (delayMs) => {
          setTimeout(() => void from.nack(this.kurrent.RETRY, 'handed back', resolved).catch(() => undefined), delayMs).unref();
        },
      });
    }
    return taken;
  }

  private wake(): void {
    for (const done of [...this.waiting]) done();
  }

  async close(): Promise<void> {
    const subscription = this.subscription;
    subscription.removeAllListeners();
    await subscription.unsubscribe().catch(() => undefined);
    await this.client.dispose();
  }
}
