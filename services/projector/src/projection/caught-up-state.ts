import { releasedWithin } from './released-within';

/**
 * Whether this instance may say it is caught up: it has applied the head the store had when its
 * run (a start, a rebuild) began, and its watchdog does not see it behind the store's head.
 * Queries wait for it; the broadcast carries it, and the gateway waits only for instances that
 * are caught up.
 */
export class CaughtUpState {
  private target = 0;
  private reachedTarget = false;
  private behind = false;
  private waiters: (() => void)[] = [];

  /** `onChange` hears every change, both ways. */
  constructor(private readonly onChange: (caughtUp: boolean) => void = () => {}) {}

  get caughtUp(): boolean {
    return this.reachedTarget && !this.behind;
  }

  /** A run begins at `position` with the store's head at `target`. */
  begin(target: number, position: number): void {
    this.update(() => {
      this.target = target;
      this.reachedTarget = position >= target;
      this.behind = false;
    });
  }

  /** A run is about to begin (a rebuild empties the read models first): not caught up until it has. */
  suspend(): void {
    this.update(() => (this.reachedTarget = false));
  }

  /** An event at `position` was applied. */
  applied(position: number): void {
    if (this.reachedTarget || position < this.target) return;
    this.update(() => (this.reachedTarget = true));
  }

  /** The watchdog's view: behind the store's head, or not. */
  setBehind(behind: boolean): void {
    if (behind === this.behind) return;
    this.update(() => (this.behind = behind));
  }

  /** Resolves true once caught up, false after `timeoutMs`. */
  waitUntilCaughtUp(timeoutMs: number): Promise<boolean> {
    if (this.caughtUp) return Promise.resolve(true);
    return releasedWithin(timeoutMs, (release) => {
      this.waiters.push(release);
      return () => (this.waiters = this.waiters.filter((w) => w !== release));
    });
  }

  private update(change: () => void): void {
    const before = this.caughtUp;
    change();
    const after = this.caughtUp;
    if (after === before) return;
    if (after) for (const w of this.waiters.splice(0)) w();
    this.onChange(after);
  }
}
