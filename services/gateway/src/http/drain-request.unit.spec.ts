import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { DRAIN_LIMIT_BYTES, drainRequest } from './drain-request';

/** A request whose body is still arriving: written to by the test. */
function incoming(headers: Record<string, string> = {}) {
  const socket = { destroy: vi.fn() };
  const req = Object.assign(new PassThrough(), { complete: false, headers, socket });
  return { req, asMessage: req as unknown as IncomingMessage, socket };
}

describe('drainRequest', () => {
  it('reads and drops the rest of the body, leaving the connection open', async () => {
    const { req, asMessage, socket } = incoming({ 'content-length': String(3 * 1024 * 1024) });
    expect(drainRequest(asMessage)).toBe(true);
    for (let i = 0; i < 3; i++) req.write(Buffer.alloc(1024 * 1024));
    req.end();
    await new Promise((r) => req.once('end', r));
    expect(socket.destroy).not.toHaveBeenCalled();
  });

  it('refuses a body that says it is over the bound, and cuts one that turns out longer', async () => {
    expect(drainRequest(incoming({ 'content-length': String(DRAIN_LIMIT_BYTES + 1) }).asMessage)).toBe(false);
    expect(drainRequest(incoming({ 'content-length': 'nonsense' }).asMessage)).toBe(false);
    const { req, asMessage, socket } = incoming({ 'transfer-encoding': 'chunked' });
    expect(drainRequest(asMessage)).toBe(true);
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i <= DRAIN_LIMIT_BYTES / chunk.length && socket.destroy.mock.calls.length === 0; i++) {
      req.write(chunk);
      await new Promise((r) => setImmediate(r));
    }
    expect(socket.destroy).toHaveBeenCalledTimes(1);
  });

  it('has nothing to do once the body has been read', () => {
    const { asMessage } = incoming();
    (asMessage as { complete: boolean }).complete = true;
    expect(drainRequest(asMessage)).toBe(true);
  });
});
