import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { PUBLICATIONS, type ProjectorApplied } from '@topdog/contracts';
import { subscribe } from '@topdog/runtime';

interface Seen {
  position: number;
  seenAt: number;
}

/**
 * Follows the positions the projector instances broadcast as they apply events, so that a
 * command's reply can wait until every live, caught-up projector has applied what the command
 * wrote (read-your-writes) without a request per command.
 *
 * An instance counts while it says it is caught up and has been heard from within `livenessMs`.
 * One that says it is not (catching up, or behind a stalled subscription: it answers no query
 * then) stops counting at once, so it cannot hold every command up to the timeout; when no
 * instance counts, a command waits for one until its timeout.
 */
export class AppliedPositionWatcher {
  private readonly instances = new Map<string, Seen>();
  private waiters: { position: number; resolve: (ok: boolean) => void; timer: NodeJS.Timeout }[] = [];
  private sub: Subscription | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly livenessMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.sub = subscribe(this.nc, this.prefix, PUBLICATIONS.projectorApplied, [], (applied) => this.heard(applied));
  }

  /** One instance's broadcast. */
  heard(applied: ProjectorApplied): void {
    if (applied.caughtUp) this.instances.set(applied.instanceId, { position: applied.position, seenAt: this.now() });
    else this.instances.delete(applied.instanceId);
    this.release();
  }

  /** The lowest position applied by a live, caught-up projector instance, or undefined if none counts. */
  appliedByAll(): number | undefined {
    const horizon = this.now() - this.livenessMs;
    let min: number | undefined;
    for (const [id, seen] of this.instances) {
      if (seen.seenAt < horizon) {
        this.instances.delete(id);
        continue;
      }
      min = min === undefined ? seen.position : Math.min(min, seen.position);
    }
    return min;
  }

  /** True once every live, caught-up projector has applied `position`; false after the timeout. */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    const applied = this.appliedByAll();
    if (applied !== undefined && applied >= position) return Promise.resolve(true);
    if (timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = {
        position,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  private release(): void {
    if (this.waiters.length === 0) return;
    const applied = this.appliedByAll();
    if (applied === undefined) return;
    this.waiters = this.waiters.filter((w) => {
      if (w.position > applied) return true;
      clearTimeout(w.timer);
      w.resolve(true);
      return false;
    });
  }

  stop(): void {
    this.sub?.unsubscribe();
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
  }
}
