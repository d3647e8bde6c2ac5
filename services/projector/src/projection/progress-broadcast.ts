import type { ProjectorApplied } from '@topdog/contracts';

export interface ProgressBroadcastOptions {
  /** What this instance has applied, and whether it may be counted as caught up. */
  current: () => ProjectorApplied;
  /** Sends it to whoever waits on it (the gateway's read-your-writes). */
  publish: (applied: ProjectorApplied) => void;
  /** How often it is sent while nothing changes, so listeners know this instance is alive. */
  heartbeatMs?: number;
}

/**
 * Tells others how far this instance has applied. After applying, one message per turn of the
 * event loop (however many events that turn applied); and a heartbeat every second, which is
 * also how a listener notices an instance that went away.
 */
export class ProgressBroadcast {
  private heartbeat: NodeJS.Timeout | undefined;
  private scheduled = false;

  constructor(private readonly options: ProgressBroadcastOptions) {}

  start(): void {
    this.heartbeat ??= setInterval(() => this.now(), this.options.heartbeatMs ?? 1_000);
  }

  /** Sends the position once the current burst of applied events is over. */
  soon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.now();
    });
  }

  /** Sends it at once (caught up, or no longer). */
  now(): void {
    this.options.publish(this.options.current());
  }

  stop(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
