import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SseWriter } from './sse-writer';

describe('SSE writer', () => {
  it('closes a client that falls too far behind with an overflow event naming where to resume', async () => {
    let writer: SseWriter | undefined;
    let closedByWriter = false;
    const server = createServer((_req, res) => {
      writer = new SseWriter(res, { heartbeatMs: 60_000, maxBufferedBytes: 64 * 1024 }, () => (closedByWriter = true));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const req = request({ host: '127.0.0.1', port, path: '/' });
      req.end();
      const [res] = (await once(req, 'response')) as [IncomingMessage];
      res.pause(); // a client that stops reading
      const big = 'x'.repeat(4 * 1024);
      let sent = 0;
      while (writer!.send('Big', { big }, String(++sent)) && sent < 100_000) {
        if (sent % 50 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      expect(closedByWriter).toBe(true);
      expect(sent).toBeLessThan(100_000);
      res.resume();
      let text = '';
      for await (const chunk of res) text += String(chunk);
      const overflow = /event: overflow\ndata: (.*)\n/.exec(text);
      expect(overflow).not.toBeNull();
      const resumeAfter = (JSON.parse(overflow![1]!) as { resume_after: string }).resume_after;
      expect(text).toContain(`id: ${resumeAfter}\n`);
      expect(Number(resumeAfter)).toBe(sent - 1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("holds a sender that waits on it to the client's pace: a client that stops reading for a while misses nothing", async () => {
    let writer: SseWriter | undefined;
    let closedByWriter = false;
    const server = createServer((_req, res) => {
      writer = new SseWriter(res, { heartbeatMs: 60_000, maxBufferedBytes: 64 * 1024 }, () => (closedByWriter = true));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const req = request({ host: '127.0.0.1', port, path: '/' });
      req.end();
      const [res] = (await once(req, 'response')) as [IncomingMessage];
      res.pause(); // a client that stops reading
      const big = 'x'.repeat(4 * 1024);
      const events = 2_000; // 8 MB: over a hundred times the bound
      let sent = 0;
      const sending = (async () => {
        while (sent < events) {
          const drained = writer!.whenDrained();
          if (drained) await drained;
          if (!writer!.send('Big', { big }, String(sent + 1))) return;
          sent++;
        }
        writer!.close();
      })();
      await new Promise((r) => setTimeout(r, 200));
      expect(sent).toBeLessThan(events); // held while the client reads nothing
      res.resume();
      let text = '';
      for await (const chunk of res) text += String(chunk);
      await sending;
      expect(closedByWriter).toBe(true); // by close(), at the end
      expect(text).not.toContain('event: overflow');
      const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
      expect(ids).toEqual(Array.from({ length: events }, (_, i) => i + 1));
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
