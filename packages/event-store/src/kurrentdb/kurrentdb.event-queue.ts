import type { KurrentDBClient, PersistentSubscriptionToAll, PersistentSubscriptionToAllResolvedEvent } from '@kurrent/kurrentdb-client';
import type { EventQueueOptions, QueuedCommit } from '../jetstream/jetstream.event-queue';
import { envelopeOf, loadKurrentDb, type KurrentDb } from './kurrentdb.event-store';

/** How long a taken request may stay with a taker that neither acknowledges nor hands it back (KurrentDB cannot extend it). */
const MESSAGE_TIMEOUT_MS = 10 * 60_000;

/**
 * Work sharing on KurrentDB: a persistent subscription to `$all` (`<prefix>.<durable>`), filtered
 * to the queued event types, created by whoever starts first from the log's start. Each event
 * goes to one taker at a time; one not acknowledged within its time-out, or handed back, comes
 * again. KurrentDB cannot extend a taken event's time-out as JetStream's `working()` does, so a
 * call may run up to MESSAGE_TIMEOUT_MS before another taker is given its request.
 */
export class KurrentDbEventQueue {
  private readonly buffered: PersistentSubscriptionToAllResolvedEvent[] = [];
  private waiting: (() => void) | undefined;

  private constructor(
    private readonly kurrent: KurrentDb,
    private readonly client: KurrentDBClient,
    private readonly subscription: PersistentSubscriptionToAll,
    private readonly prefix: string,
    private readonly types: ReadonlySet<string>,
  ) {
    subscription.on('data', (event: PersistentSubscriptionToAllResolvedEvent) => {
      this.buffered.push(event);
      this.waiting?.();
    });
  }

  /** The group's name on the database: one per deployment prefix. */
  private static groupOf(options: EventQueueOptions): string {
    return `${options.prefix}.${options.durable}`;
  }

  /** Creates the persistent subscription when it does not exist (the writer does, at start-up). */
  static async ensure(connectionString: string, options: EventQueueOptions): Promise<void> {
    const { KurrentDBClient, persistentSubscriptionToAllSettingsFromDefaults, START, eventTypeFilter, PersistentSubscriptionExistsError } =
      await loadKurrentDb();
    const client = KurrentDBClient.connectionString(connectionString);
    try {
      await client.createPersistentSubscriptionToAll(
        KurrentDbEventQueue.groupOf(options),
        persistentSubscriptionToAllSettingsFromDefaults({ startFrom: START, messageTimeout: MESSAGE_TIMEOUT_MS, maxRetryCount: 100 }),
        { filter: eventTypeFilter({ prefixes: [...options.eventTypes] }) },
      );
    } catch (err) {
      if (!(err instanceof PersistentSubscriptionExistsError)) throw err;
    } finally {
      await client.dispose();
    }
  }

  static async open(connectionString: string, options: EventQueueOptions): Promise<KurrentDbEventQueue> {
    await KurrentDbEventQueue.ensure(connectionString, options);
    const kurrent = await loadKurrentDb();
    const client = kurrent.KurrentDBClient.connectionString(connectionString);
    const subscription = client.subscribeToPersistentSubscriptionToAll(KurrentDbEventQueue.groupOf(options), { bufferSize: 64 });
    return new KurrentDbEventQueue(kurrent, client, subscription, options.prefix, new Set(options.eventTypes));
  }

  /** Up to `max` queued events (each its own commit), waiting at most `waitMs` for the first. */
  async take(max: number, waitMs: number): Promise<QueuedCommit[]> {
    if (this.buffered.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiting = undefined;
    }
    const taken: QueuedCommit[] = [];
    while (this.buffered.length > 0 && taken.length < max) {
      const resolved = this.buffered.shift()!;
      const event = resolved.event;
      // Another deployment's event of the same type (the group filters by type only): not ours to take.
      if (!event || !this.types.has(event.type) || !event.streamId.startsWith(`${this.prefix}.`)) {
        await this.subscription.ack(resolved);
        continue;
      }
      taken.push({
        events: [envelopeOf(resolved, this.prefix)],
        redeliveries: resolved.retryCount ?? 0,
        storedAtMs: event.created.getTime(),
        working: () => undefined,
        ack: () => this.subscription.ack(resolved),
        nak: () => void this.subscription.nack(this.kurrent.RETRY, 'handed back', resolved),
      });
    }
    return taken;
  }

  async close(): Promise<void> {
    await this.subscription.unsubscribe();
    await this.client.dispose();
  }
}
