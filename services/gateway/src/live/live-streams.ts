import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventFeeds, FeedFilter } from './event-feeds';
import { SseWriter, type SseWriterOptions } from './sse-writer';

/**
 * The open SSE connections of this gateway: each runs a feed until the client goes, the feed
 * ends, or the gateway stops (then each is closed, and clients reconnect with Last-Event-ID).
 */
export class LiveStreams {
  private readonly open = new Set<SseWriter>();

  constructor(
    private readonly feeds: EventFeeds,
    private readonly options: SseWriterOptions,
  ) {}

  get count(): number {
    return this.open.size;
  }

  async serve(req: IncomingMessage, res: ServerResponse, run: (feeds: EventFeeds, sse: SseWriter, signal: AbortSignal) => Promise<void>): Promise<void> {
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
    }
  }

  closeAll(): void {
    for (const sse of this.open) sse.close();
  }
}

export type { FeedFilter };
