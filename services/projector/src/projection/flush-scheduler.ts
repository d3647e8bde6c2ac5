import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs } from '@topdog/contracts';
import type { Logger } from 'pino';
import type { ReadModelStore } from './read-model-store';

/**
 * How often pending writes are stored while catching up (queries wait until it is over, so
 * nobody reads them sooner): the longer, the more events of a workflow one write covers.
 * `maxPendingWrites` bounds the memory they hold.
 */
export const CATCH_UP_FLUSH_MS = 5_000;
/** Pending writes that trigger a flush at once, and hold the next event until it is stored, unless configured otherwise. */
export const MAX_PENDING_WRITES = 20_000;

export interface FlushSchedulerOptions {
  store: Pick<ReadModelStore, 'pending' | 'needsFlush' | 'flush'>;
  logger: Logger;
  /** The position applied so far: what the checkpoint becomes once the writes are stored. */
  position: () => number;
  /** True while the instance is catching up (a start, a rebuild, after a stall). */
  catchingUp: () => boolean;
  /** Live, how often pending writes are stored. */
  intervalMs?: number;
  /** Pending writes that trigger a flush at once, whatever the cadence. */
  maxPendingWrites?: number;
}

/**
 * Decides when the read models and the checkpoint are written to KV, one flush at a time.
 * Live, pending writes are stored every interval. While catching up they are stored at most
 * every five seconds, or when `maxPendingWrites` are pending: a workflow touched by several events
 * of the backlog is then written once, not once per interval.
 */
export class FlushScheduler {
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<boolean> | undefined;
  private lastFlushAt = 0;

  constructor(private readonly options: FlushSchedulerOptions) {}

  start(): void {
    this.timer ??= setInterval(() => this.onTick(), this.options.intervalMs ?? 100);
  }

  private onTick(): void {
    if (this.options.catchingUp() && Date.now() - this.lastFlushAt < CATCH_UP_FLUSH_MS) return;
    void this.flush();
  }

  private get full(): boolean {
    return this.options.store.pending >= (this.options.maxPendingWrites ?? MAX_PENDING_WRITES);
  }

  /**
   * After an event is applied: when too many writes are pending, what to wait for before
   * applying the next. It lasts until the writes are stored, flushing again (with a back-off)
   * while KV refuses them, so that pending writes never grow without bound; `stopping` ends it.
   * Undefined (nothing to wait for) in the usual case, to spare a promise per event.
   */
  whenFull(stopping?: AbortSignal): Promise<void> | undefined {
    return this.full ? this.drain(stopping) : undefined;
  }

  private async drain(stopping?: AbortSignal): Promise<void> {
    for (let failures = 0; this.full && !stopping?.aborted;) {
      if (await this.flush()) continue;
      failures++;
      await sleep(backoffMs(failures), undefined, { signal: stopping }).catch(() => undefined);
    }
  }

  /**
   * Stores pending writes, then the checkpoint; joins the flush under way if there is one.
   * Resolves false when the flush failed (logged; the writes stay pending for the next one).
   */
  flush(): Promise<boolean> {
    if (this.flushing) return this.flushing;
    const position = this.options.position();
    if (!this.options.store.needsFlush(position)) return Promise.resolve(true);
    this.lastFlushAt = Date.now();
    this.flushing = this.options.store
      .flush(position)
      .then(
        () => true,
        (err: unknown) => {
          this.options.logger.warn({ err }, 'read model flush failed; will retry');
          return false;
        },
      )
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  /** Resolves once no flush is under way. */
  async settled(): Promise<void> {
    await this.flushing;
  }

  /** Stops the schedule, then stores what is pending. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.settled();
    await this.flush();
  }
}
