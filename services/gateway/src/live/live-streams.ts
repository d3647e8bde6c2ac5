import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Identity } from '@topdog/contracts';
import type { EventFeeds, FeedFilter } from './event-feeds';
import { SseWriter, type SseWriterOptions } from './sse-writer';
import { StreamQuota, type StreamSlot } from './stream-quota';

/** setTimeout's longest delay; a credential valid for longer is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface LiveStreamsOptions extends SseWriterOptions {
  /** Streams one identity may hold open at once. */
  maxPerIdentity: number;
}

/** Who holds a stream: its actor, and when its credential stops being valid. */
export type StreamHolder = Pick<Identity, 'actor' | 'expiresAt'>;

/**
 * The open SSE connections of this gateway: each runs a feed until the client goes, the feed
 * ends, the gateway stops (then each is closed, and clients reconnect with Last-Event-ID), or
 * its caller's credential stops being valid: authentication happens once, when a stream opens,
 * so a stream ends when its credential expires, or is revoked (`closeFor`).
 */
export class LiveStreams {
  private readonly open = new Set<SseWriter>();
  private readonly byActor = new Map<string, Set<SseWriter>>();
  private readonly quota: StreamQuota;

  constructor(
    private readonly feeds: EventFeeds,
    private readonly options: LiveStreamsOptions,
  ) {
    this.quota = new StreamQuota(options.maxPerIdentity);
  }

  get count(): number {
    return this.open.size;
  }

  /**
   * Takes one of `actor`'s stream places, before the response is taken over (so that a refusal,
   * RATE_LIMITED, is still an ordinary error answer); `serve` gives it back when the stream ends.
   */
  admit(actor: string): StreamSlot {
    return this.quota.acquire(actor);
  }

  async serve(
    slot: StreamSlot,
    holder: StreamHolder,
    req: IncomingMessage,
    res: ServerResponse,
    run: (feeds: EventFeeds, sse: SseWriter, signal: AbortSignal) => Promise<void>,
  ): Promise<void> {
    const abort = new AbortController();
    const sse = new SseWriter(res, this.options, () => abort.abort());
    this.open.add(sse);
    const held = this.byActor.get(holder.actor) ?? new Set<SseWriter>();
    held.add(sse);
    this.byActor.set(holder.actor, held);
    const expiry = holder.expiresAt === null ? undefined : this.closeAt(sse, Date.parse(holder.expiresAt));
    req.on('close', () => sse.close());
    try {
      await run(this.feeds, sse, abort.signal);
    } catch {
      // The store or NATS went away: the client reconnects with Last-Event-ID.
    } finally {
      clearTimeout(expiry);
      sse.close();
      this.open.delete(sse);
      held.delete(sse);
      if (held.size === 0 && this.byActor.get(holder.actor) === held) this.byActor.delete(holder.actor);
      slot.release();
    }
  }

  /** Closes every stream of an actor whose credential was revoked. */
  closeFor(actor: string): void {
    for (const sse of this.byActor.get(actor) ?? []) sse.close();
  }

  closeAll(): void {
    for (const sse of this.open) sse.close();
  }

  private closeAt(sse: SseWriter, at: number): NodeJS.Timeout {
    const timer = setTimeout(() => (Date.now() >= at ? sse.close() : this.closeAt(sse, at)), Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())));
    timer.unref();
    return timer;
  }
}

export type { FeedFilter };
