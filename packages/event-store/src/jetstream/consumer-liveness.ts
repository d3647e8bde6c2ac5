import type { ConsumerMessages } from '@nats-io/jetstream';
import { SubscriptionStalledError } from '../event-store';

/** Heartbeat intervals of silence, while the subscriber waits, that mean nothing will come. */
const MISSED_HEARTBEATS = 3;

/**
 * Watches a `consume()` for silence. A healthy pull consumer always has a pull outstanding, and
 * the server answers it with messages or, when it has none, with an idle heartbeat every
 * `idleHeartbeatMs`; so while the subscriber waits for the next message, several heartbeat
 * intervals without either mean nothing will come. nats.js watches heartbeats too and recovers
 * an ordered consumer by itself, but after a server restart its recovery can sit in a back-off
 * as long as the pull's expiry (30 s) with no pull outstanding and no notification
 * (`resetPending`, nats.js 3.4). Then the messages are stopped with a
 * `SubscriptionStalledError`, and the subscriber subscribes again from its last position.
 *
 * Time the subscriber spends on a message is not silence: the next pull is sent only when the
 * subscriber asks for more.
 */
export class ConsumerLiveness {
  private lastSignalAt = Date.now();
  private waitingSince: number | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly messages: ConsumerMessages,
    private readonly idleHeartbeatMs: number,
  ) {
    // The status feed ends with the consumer; an error there only means no more heartbeats to count.
    this.listen().catch(() => undefined);
    this.timer = setInterval(() => this.check(), idleHeartbeatMs);
  }

  /** The subscriber waits for the next message. */
  waiting(): void {
    this.waitingSince = Date.now();
  }

  /** A message came. */
  received(): void {
    this.waitingSince = undefined;
    this.lastSignalAt = Date.now();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async listen(): Promise<void> {
    for await (const status of this.messages.status()) {
      if (status.type === 'heartbeat' || status.type === 'ordered_consumer_recreated') this.lastSignalAt = Date.now();
    }
  }

  private check(): void {
    if (this.waitingSince === undefined) return;
    const silentForMs = Date.now() - Math.max(this.waitingSince, this.lastSignalAt);
    if (silentForMs >= MISSED_HEARTBEATS * this.idleHeartbeatMs) this.messages.stop(new SubscriptionStalledError(silentForMs));
  }
}
