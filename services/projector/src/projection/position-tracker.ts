import { releasedWithin } from './released-within';

/**
 * The position the projector has applied, and callers waiting for it to reach a position
 * (read-your-writes). Waiters are released in order as the position advances.
 */
export class PositionTracker {
  private current = 0;
  private waiters: { position: number; resolve: () => void }[] = [];

  get position(): number {
    return this.current;
  }

  advance(position: number): void {
    if (position <= this.current) return;
    this.current = position;
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.position <= position) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  /** Starts again from a lower position (a rebuild). */
  reset(position = 0): void {
    this.current = position;
  }

  /** Resolves true once the position is reached, false after `timeoutMs`. */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (position <= this.current) return Promise.resolve(true);
    return releasedWithin(timeoutMs, (release) => {
      const waiter = { position, resolve: release };
      this.waiters.push(waiter);
      return () => (this.waiters = this.waiters.filter((w) => w !== waiter));
    });
  }
}
