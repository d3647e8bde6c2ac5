import { createParser } from 'eventsource-parser';
import { AuditRecordBody, backoffMs, TokenDelta } from '@topdog/contracts';
import { TopDogApiError } from './api-error';
import { bodyChunks } from './body-chunks';

/** A stored event as it arrives live, or a transient token delta. */
export type LiveEvent =
  { kind: 'event'; id: string; record: AuditRecordBody } | { kind: 'token'; delta: TokenDelta } | { kind: 'overflow'; resumeAfter: string | null };

export interface LiveEventsOptions {
  after?: number;
  types?: string[];
  projectId?: string;
  signal?: AbortSignal;
  /** Reconnect after a drop (a gateway restart), resuming with Last-Event-ID. Default true. */
  reconnect?: boolean;
  /** Called before each reconnection attempt. */
  onReconnect?: (attempt: number, lastEventId: string | undefined) => void;
  /** Called each time the stream is open: from then on nothing live is missed. */
  onConnected?: () => void;
}

/**
 * Live events from an SSE endpoint as an async iterator. After a dropped connection it
 * reconnects (backing off up to 5 s) with Last-Event-ID, so it resumes exactly after the last
 * event received: no gap, no duplicate. 4xx answers end it with a TopDogApiError.
 */
export async function* liveEvents(
  fetchImpl: typeof fetch,
  url: URL,
  options: LiveEventsOptions,
  sentHeaders: Record<string, string> = {},
): AsyncGenerator<LiveEvent> {
  let lastEventId: string | undefined;
  let attempt = 0;
  let retryAfterMs = 0;
  for (;;) {
    if (options.signal?.aborted) return;
    const queue: LiveEvent[] = [];
    let wake: (() => void) | undefined;
    const parser = createParser({
      onEvent: (m) => {
        if (m.event === 'token') queue.push({ kind: 'token', delta: TokenDelta.parse(JSON.parse(m.data)) });
        else if (m.event === 'overflow') queue.push({ kind: 'overflow', resumeAfter: (JSON.parse(m.data) as { resume_after: string | null }).resume_after });
        else if (m.id !== undefined) queue.push({ kind: 'event', id: m.id, record: AuditRecordBody.parse(JSON.parse(m.data)) });
        wake?.();
      },
    });
    let ended = false;
    try {
      const headers: Record<string, string> = { ...sentHeaders, accept: 'text/event-stream' };
      if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
      const res = await fetchImpl(url, { headers, signal: options.signal });
      if (!res.ok || !res.body) {
        retryAfterMs = retryAfterMsOf(res.headers.get('retry-after'));
        throw TopDogApiError.fromResponse(res.status, await res.json().catch(() => undefined));
      }
      attempt = 0;
      options.onConnected?.();
      const decoder = new TextDecoder();
      const reading = (async () => {
        try {
          for await (const chunk of bodyChunks(res.body as ReadableStream<Uint8Array>)) parser.feed(decoder.decode(chunk, { stream: true }));
        } finally {
          ended = true;
          wake?.();
        }
      })();
      reading.catch(() => undefined);
      for (;;) {
        while (queue.length > 0) {
          const next = queue.shift()!;
          if (next.kind === 'event') lastEventId = next.id;
          if (next.kind === 'overflow') lastEventId = next.resumeAfter ?? lastEventId;
          else yield next;
        }
        if (ended) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } catch (err) {
      if (options.signal?.aborted) return;
      // An outage (no answer, UNAVAILABLE) or a limit (RATE_LIMITED) is waited out; any other answer stays what it is.
      if (err instanceof TopDogApiError && !err.retryable) throw err;
    }
    if (options.reconnect === false || options.signal?.aborted) return;
    attempt++;
    options.onReconnect?.(attempt, lastEventId);
    // The server's Retry-After, when it gave one, is the least wait: reconnecting sooner would only be refused again.
    await new Promise((r) => setTimeout(r, Math.max(backoffMs(attempt), retryAfterMs)));
    retryAfterMs = 0;
  }
}

/** A Retry-After header in seconds (the only form the gateway sends), capped at a minute; 0 when absent or not a number. */
export function retryAfterMsOf(header: string | null): number {
  const seconds = Number(header ?? '');
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 60) * 1000 : 0;
}
