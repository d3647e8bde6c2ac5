import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { TEST_ADMIN_KEY } from './credentials';

export type SseMessage = EventSourceMessage;

/**
 * Reads a Server-Sent Events stream with fetch until it ends or `signal` aborts; every message
 * goes to `onMessage`, comment lines to `onComment`. Resolves when the stream ends (a dropped
 * connection included), so a caller can reconnect with the last id.
 */
export async function readSse(
  url: string,
  options: { lastEventId?: string; signal?: AbortSignal; apiKey?: string; onMessage: (m: SseMessage) => void; onComment?: (c: string) => void },
): Promise<{ status: number }> {
  const headers: Record<string, string> = { accept: 'text/event-stream', authorization: `Bearer ${options.apiKey ?? TEST_ADMIN_KEY}` };
  if (options.lastEventId) headers['last-event-id'] = options.lastEventId;
  const res = await fetch(url, { headers, signal: options.signal });
  if (!res.ok || !res.body) return { status: res.status };
  const parser = createParser({ onEvent: options.onMessage, onComment: options.onComment });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
  } catch {
    // The connection dropped (the gateway died) or the caller aborted.
  }
  return { status: res.status };
}

/** A stream read in the background into `messages` and `comments` (trimmed), until `close()`. */
export function collectSse(url: string, options: { lastEventId?: string; apiKey?: string } = {}) {
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const abort = new AbortController();
  const reading = readSse(url, { ...options, signal: abort.signal, onMessage: (m) => messages.push(m), onComment: (c) => comments.push(c.trim()) });
  return {
    messages,
    comments,
    async close(): Promise<void> {
      abort.abort();
      await reading;
    },
  };
}
