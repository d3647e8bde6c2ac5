import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventFeeds, FeedFilter } from './event-feeds';
import { SseWriter, type SseWriterOptions } from './sse-writer';
import { StreamQuota, type StreamSlot } from './stream-quota';

export interface LiveStreamsOptions extends SseWriterOptions {
  /** Streams one identity may hold open at once. */
  maxPerIdentity: number;
}

/**
 * The open SSE connections of this gateway: each runs a feed until the client goes, the feed
 * ends, or the gateway stops (then each is closed, and clients reconnect with Last-Event-ID).
 */
export class LiveStreams {
  private readonly open = new Set<SseWriter>();
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
    req: IncomingMessage,
    res: ServerResponse,
    run: (feeds: EventFeeds, sse: SseWriter, signal: AbortSignal) => Promise<void>,
  ): Promise<void> {
    const abort = new AbortController();
    const sse = new SseWriter(res, this.options, () => abort.abort());
    this.open.add(sse);
    req.on('close', () => sse.close());
    try {
      await run(this.feeds, sse, abort.signal);
    } catch {
      // The store or NATS went away: the client reconnects with Last-Event-ID.
    } finally {
      sse.close();
      this.open.delete(sse);
      slot.release();
    }
  }

  closeAll(): void {
    for (const sse of this.open) sse.close();
  }
}

export type { FeedFilter };
