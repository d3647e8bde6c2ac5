import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { ProjectorCheckpoint, subject, SUBJECTS } from '@topdog/contracts';

interface Seen {
  position: number;
  seenAt: number;
}

/**
 * Follows the projector instances' checkpoint broadcasts, so that a command's reply can wait
 * until every live projector has applied what the command wrote (read-your-writes) without a
 * request per command.
 */
export class CheckpointWatcher {
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
    this.sub = this.nc.subscribe(subject(this.prefix, SUBJECTS.projectorCheckpoint), {
      callback: (err, msg) => {
        if (err) return;
        const parsed = ProjectorCheckpoint.safeParse(msg.json());
        if (!parsed.success || !parsed.data.caughtUp) return;
        this.instances.set(parsed.data.instanceId, { position: parsed.data.position, seenAt: this.now() });
        this.release();
      },
    });
  }

  /** The lowest position applied by a live projector instance, or undefined if none is live. */
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

  /** True once every live projector has applied `position`; false after the timeout. */
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
