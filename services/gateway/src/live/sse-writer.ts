import type { ServerResponse } from 'node:http';

export interface SseWriterOptions {
  heartbeatMs: number;
  /** Bytes a slow client may leave unread before it is closed. */
  maxBufferedBytes: number;
  /** How long a waiting sender waits for a client that takes nothing before the client is closed (default STALLED_AFTER_MS). */
  stalledAfterMs?: number;
  /** How long a closed stream's last bytes may take to reach the client before its connection is cut (default ENDED_LINGER_MS). */
  endedLingerMs?: number;
}

/** What one tick's writes may gather before they are sent anyway. */
const FLUSH_AT_BYTES = 64 * 1024;
/** A client that takes nothing of what waits for it for this long is closed with `overflow`, as one past the bound is. */
const STALLED_AFTER_MS = 30_000;
/**
 * A stream ended (an overflow, say) ends after what is buffered for the client: one that still
 * takes nothing has its connection cut after this long, so that its socket and buffer are not
 * held for as long as it keeps its window shut.
 */
const ENDED_LINGER_MS = 10_000;

/**
 * Server-Sent Events on a raw response: events with an id (a position), transient ones without,
 * comment heartbeats, and a bound on what a slow client leaves buffered: past it the stream
 * ends with an `overflow` event saying where to resume. A sender that can wait (one reading
 * stored events) waits on `whenDrained` before each event, and its stream keeps to the client's
 * pace instead of overflowing; what cannot wait (live token deltas) is what the bound is for. A
 * client that takes nothing for `stalledAfterMs` while a sender waits is closed the same way.
 */
export class SseWriter {
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;
  /**
   * What was written during this tick, sent as one chunk at its end: a catch-up of thousands of
   * events is then neither a syscall nor a chunk of the chunked encoding each.
   */
  private pending: string[] = [];
  private pendingBytes = 0;
  /** The id of the last event written: where a client resumes. */
  lastId: string | undefined;
  /** Ends the wait `whenDrained` returned, if one is under way. */
  private endWait: (() => void) | undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly options: SseWriterOptions,
    private readonly onClose: () => void,
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': connected\n\n');
    this.heartbeat = setInterval(() => this.comment('heartbeat'), options.heartbeatMs).unref();
    res.on('close', () => this.close());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Writes one event; false once the stream is closed (by the client, or for overflow). */
  send(event: string, data: unknown, id?: string): boolean {
    if (this.closed) return false;
    if (this.res.writableLength + this.pendingBytes > this.options.maxBufferedBytes) {
      this.overflow();
      return false;
    }
    this.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    if (id !== undefined) this.lastId = id;
    return true;
  }

  /**
   * Undefined while the client has taken all but half the bound; otherwise what to wait for
   * before sending more: the client taking what is buffered, or the stream closing (by the
   * client, by `close`, or for a client that took nothing for `stalledAfterMs`). Undefined in the
   * usual case, to spare a promise per event.
   */
  whenDrained(): Promise<void> | undefined {
    if (this.closed || this.res.writableLength + this.pendingBytes <= this.options.maxBufferedBytes / 2) return undefined;
    this.flush();
    // Node announces 'drain' only after a write it asked the writer to wait on.
    if (!this.res.writableNeedDrain) return undefined;
    return new Promise((resolve) => {
      const stalled = setTimeout(() => this.overflow(), this.options.stalledAfterMs ?? STALLED_AFTER_MS);
      const done = () => {
        clearTimeout(stalled);
        this.endWait = undefined;
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.endWait = done;
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  comment(text: string): void {
    if (!this.closed) this.write(`: ${text}\n\n`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.flush();
    this.res.end();
    this.cutIfUnread();
    this.endWait?.();
    this.onClose();
  }

  /** Cuts the connection if the client has not taken the end of the stream within `endedLingerMs`. */
  private cutIfUnread(): void {
    if (this.res.writableFinished || this.res.destroyed) return;
    const cut = setTimeout(() => this.res.destroy(), this.options.endedLingerMs ?? ENDED_LINGER_MS).unref();
    const taken = () => clearTimeout(cut);
    this.res.once('finish', taken);
    this.res.once('close', taken);
  }

  /** Ends the stream with an `overflow` event naming where to resume. */
  private overflow(): void {
    this.write(`event: overflow\ndata: ${JSON.stringify({ reason: 'the client fell too far behind', resume_after: this.lastId ?? null })}\n\n`);
    this.close();
  }

  private write(chunk: string): void {
    if (this.pending.length === 0) process.nextTick(() => this.flush());
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // A long run of events in one tick (a catch-up) goes out as it grows, not all at its end.
    if (this.pendingBytes >= FLUSH_AT_BYTES) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.res.writableEnded) this.res.write(text);
  }
}
