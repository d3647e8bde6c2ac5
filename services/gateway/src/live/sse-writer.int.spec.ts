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
});
