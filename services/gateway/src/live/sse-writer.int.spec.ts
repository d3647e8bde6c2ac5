import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SseWriter } from './sse-writer';

const BOUND = 64 * 1024;
const big = 'x'.repeat(4 * 1024);

/**
 * A writer on a real HTTP response (bounded at 64 KB unread), and the client's side of it,
 * paused: a client that stops reading. `closedByWriter` says whether the writer has closed it.
 */
async function pausedStream(stalledAfterMs?: number, endedLingerMs?: number) {
  const server = createServer((_req, response) => {
    stream.response = response;
    stream.writer = new SseWriter(
      response,
      { heartbeatMs: 60_000, maxBufferedBytes: BOUND, stalledAfterMs, endedLingerMs },
      () => (stream.closedByWriter = true),
    );
  });
  const stream = {
    writer: undefined as SseWriter | undefined,
    /** The server's side of the stream. */
    response: undefined as ServerResponse | undefined,
    closedByWriter: false,
    res: undefined as IncomingMessage | undefined,
    /** Resumes reading; everything the client receives until the stream ends. */
    async readToEnd(): Promise<string> {
      stream.res!.resume();
      let text = '';
      for await (const chunk of stream.res!) text += String(chunk);
      return text;
    },
    [Symbol.dispose]() {
      server.closeAllConnections();
      server.close();
    },
  };
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const req = request({ host: '127.0.0.1', port, path: '/' });
  req.end();
  [stream.res] = (await once(req, 'response')) as [IncomingMessage];
  stream.res.pause();
  return stream;
}

describe('SSE writer', () => {
  it('closes a client that falls too far behind with an overflow event naming where to resume', async () => {
    using stream = await pausedStream();
    let sent = 0;
    while (stream.writer!.send('Big', { big }, String(++sent)) && sent < 100_000) {
      if (sent % 50 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    expect(stream.closedByWriter).toBe(true);
    expect(sent).toBeLessThan(100_000);
    const text = await stream.readToEnd();
    const overflow = /event: overflow\ndata: (.*)\n/.exec(text);
    expect(overflow).not.toBeNull();
    const resumeAfter = (JSON.parse(overflow![1]!) as { resume_after: string }).resume_after;
    expect(text).toContain(`id: ${resumeAfter}\n`);
    expect(Number(resumeAfter)).toBe(sent - 1);
  });

  it("holds a sender that waits on it to the client's pace: a client that stops reading for a while misses nothing", async () => {
    using stream = await pausedStream();
    const writer = stream.writer!;
    const events = 2_000; // 8 MB: over a hundred times the bound
    let sent = 0;
    const sending = (async () => {
      while (sent < events) {
        const drained = writer.whenDrained();
        if (drained) await drained;
        if (!writer.send('Big', { big }, String(sent + 1))) return;
        sent++;
      }
      writer.close();
    })();
    await new Promise((r) => setTimeout(r, 200));
    expect(sent).toBeLessThan(events); // held while the client reads nothing
    const text = await stream.readToEnd();
    await sending;
    expect(stream.closedByWriter).toBe(true); // by close(), at the end
    expect(text).not.toContain('event: overflow');
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual(Array.from({ length: events }, (_, i) => i + 1));
  });

  /**
   * Sends, waiting as asked, until a wait lasts (the client's socket buffers are full and it reads
   * nothing); that wait, in an object (an async function's promise would be awaited).
   */
  const untilHeld = async (writer: SseWriter): Promise<{ held: Promise<void> }> => {
    for (let sent = 1; ; sent++) {
      const held = writer.whenDrained();
      if (held) {
        const drainedSoon = await Promise.race([held.then(() => true), new Promise((r) => setTimeout(() => r(false), 100))]);
        if (!drainedSoon) return { held };
      }
      writer.send('Big', { big }, String(sent));
    }
  };

  /** A sender that waits as it should, until the writer closes the stream: the client's buffers fill, then nothing drains. */
  const sendWaitingUntilClosed = async (writer: SseWriter): Promise<void> => {
    for (let sent = 1; sent < 100_000; sent++) {
      const drained = writer.whenDrained();
      if (drained) await drained;
      if (!writer.send('Big', { big }, String(sent))) return;
    }
  };

  it('releases a waiting sender when the stream is closed (a key revoked, a shutdown)', async () => {
    using stream = await pausedStream();
    const { held } = await untilHeld(stream.writer!);
    stream.writer!.close();
    await held;
    expect(stream.writer!.send('Big', { big })).toBe(false);
  });

  it('closes a client that takes nothing for the stall limit while a sender waits, with an overflow event naming where to resume', async () => {
    using stream = await pausedStream(300);
    await sendWaitingUntilClosed(stream.writer!);
    expect(stream.closedByWriter).toBe(true);
    const text = await stream.readToEnd();
    const overflow = /event: overflow\ndata: (.*)\n/.exec(text);
    expect(overflow).not.toBeNull();
    expect(text).toContain(`id: ${(JSON.parse(overflow![1]!) as { resume_after: string }).resume_after}\n`);
  });

  it('cuts the connection of a client that takes nothing of its stream after the end, rather than holding it', async () => {
    using stream = await pausedStream(300, 300);
    await sendWaitingUntilClosed(stream.writer!);
    expect(stream.closedByWriter).toBe(true);
    const response = stream.response!;
    // Ended, but what is buffered (the overflow event last) is not taken: the socket is still held.
    expect(response.writableFinished).toBe(false);
    if (!response.destroyed) await once(response, 'close');
    expect(response.destroyed).toBe(true);
  });
});
