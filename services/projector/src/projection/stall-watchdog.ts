export interface StallWatchdogOptions {
  /** With the store's head ahead, this long without a delivery is a stalled subscription. */
  stallMs: number;
  /** A head seen this long ago and still not applied means the instance is behind. */
  lagMs: number;
}

export interface WatchdogVerdict {
  /** The instance is behind the store: it must not say it is caught up. */
  behind: boolean;
  /** The subscription has stopped delivering while the store moved on: set it up again. */
  stalled: boolean;
  /** How long the subscription has been silent with the head ahead (when stalled). */
  silentForMs: number;
}

/**
 * Notices a subscription that stops delivering while the store moves on, whatever the store.
 * Pure: the apply loop tells it what the subscription delivers and what it applies, and asks
 * it, every second or so, about the store's head; time comes in as arguments.
 *
 * The heads it was shown and that are not applied yet are kept in order. The oldest says how
 * far behind the instance is in time (a healthy one applies a head within milliseconds of its
 * being read). Once behind, the instance is caught up again only when it has applied a head read
 * after it fell behind: the newest one it was shown.
 */
export class StallWatchdog {
  private unapplied: { head: number; seenAt: number }[] = [];
  private lastDeliveryAt: number;
  private applying = false;
  private isBehind = false;

  constructor(
    private readonly options: StallWatchdogOptions,
    now: number,
  ) {
    this.lastDeliveryAt = now;
  }

  get behind(): boolean {
    return this.isBehind;
  }

  /** A (new) subscription began: it gets `stallMs` to deliver. */
  subscribed(now: number): void {
    this.lastDeliveryAt = now;
    this.applying = false;
  }

  /** The subscription delivered an event; the loop is applying it (time spent applying is not silence). */
  delivered(now: number): void {
    this.lastDeliveryAt = now;
    this.applying = true;
  }

  /** The loop applied up to `position` and waits for the next event. True if that ended `behind`. */
  applied(position: number, now: number): boolean {
    this.lastDeliveryAt = now;
    this.applying = false;
    this.forget(position);
    return this.settle();
  }

  /** The store's head, read now, against the position applied. */
  check(head: number, applied: number, now: number): WatchdogVerdict {
    this.forget(applied);
    const newest = this.unapplied.at(-1);
    if (head > applied && (!newest || head > newest.head)) this.unapplied.push({ head, seenAt: now });
    const oldest = this.unapplied[0];
    if (oldest && now - oldest.seenAt >= this.options.lagMs) this.isBehind = true;
    this.settle();
    const silentForMs = oldest ? now - Math.max(this.lastDeliveryAt, oldest.seenAt) : 0;
    const stalled = !this.applying && oldest !== undefined && silentForMs >= this.options.stallMs;
    return { behind: this.isBehind, stalled, silentForMs };
  }

  /** Forgets everything seen (a rebuild starts over from position 0). */
  reset(now: number): void {
    this.unapplied = [];
    this.isBehind = false;
    this.subscribed(now);
  }

  private forget(applied: number): void {
    let n = 0;
    while (n < this.unapplied.length && this.unapplied[n]!.head <= applied) n++;
    if (n > 0) this.unapplied.splice(0, n);
  }

  private settle(): boolean {
    if (!this.isBehind || this.unapplied.length > 0) return false;
    this.isBehind = false;
    return true;
  }
}
