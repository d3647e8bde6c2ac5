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
  /** Takers waiting for the next event. */
  private readonly waiting = new Set<() => void>();
  /** Why the subscription ended (a dropped connection, say): `take` fails with it, and the taker opens the queue again. */
  private failure: Error | undefined;

  private subscription: PersistentSubscriptionToAll;

  private constructor(
    private readonly kurrent: KurrentDb,
    private readonly client: KurrentDBClient,
    private readonly group: string,
    private readonly prefix: string,
    private readonly types: ReadonlySet<string>,
  ) {
    this.subscription = this.subscribe();
  }

  /** Joins the group; what it delivers is buffered for `take`, and its failure is kept for `take` to report. */
  private subscribe(): PersistentSubscriptionToAll {
    const subscription = this.client.subscribeToPersistentSubscriptionToAll(this.group, { bufferSize: 64 });
    subscription.on('data', (event: PersistentSubscriptionToAllResolvedEvent) => {
      this.buffered.push(event);
      this.wake();
    });
    subscription.on('error', (err: Error) => {
      this.failure = err;
      this.wake();
    });
    return subscription;
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
    return new KurrentDbEventQueue(kurrent, client, KurrentDbEventQueue.groupOf(options), options.prefix, new Set(options.eventTypes));
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
      // The subscription ended: joined again for the next take (what it held comes again after its time-out).
      const failure = this.failure;
      this.failure = undefined;
      this.buffered.length = 0;
      this.subscription = this.subscribe();
      throw failure;
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
        // Handed back after the delay (KurrentDB's nack redelivers at once); a nack that fails leaves it to the time-out.
        nak: (delayMs) => {
          setTimeout(() => void this.subscription.nack(this.kurrent.RETRY, 'handed back', resolved).catch(() => undefined), delayMs).unref();
        },
      });
    }
    return taken;
  }

  private wake(): void {
    for (const done of [...this.waiting]) done();
  }

  async close(): Promise<void> {
    await this.subscription.unsubscribe();
    await this.client.dispose();
  }
}
