import type { IncomingMessage } from 'node:http';

/** How much of an unread body is read and dropped after an early answer; past it the connection is cut. */
export const DRAIN_LIMIT_BYTES = 32 * 1024 * 1024;
/** How long a client may take to send the rest of a body after an early answer. */
export const DRAIN_TIMEOUT_MS = 30_000;

/**
 * Reads and drops the rest of a request body the gateway answers without having read it (413
 * over the body limit, 415, 404), so that a client that writes its whole body before reading
 * the response gets that response. Closing the connection while the client still writes makes
 * the kernel reset it, and the client (Node's fetch among them) reports EPIPE or ECONNRESET in
 * place of our answer. The connection stays usable once the body is read.
 *
 * Bounded: a body that says it is longer than DRAIN_LIMIT_BYTES is not drained at all (false:
 * the caller answers with `Connection: close`); one that turns out longer, or a client slower
 * than DRAIN_TIMEOUT_MS, has its connection closed.
 */
export function drainRequest(req: IncomingMessage): boolean {
  if (req.complete) return true;
  const declared = Number(req.headers['content-length'] ?? 0);
  if (!(declared <= DRAIN_LIMIT_BYTES)) return false;
  let read = 0;
  const cut = () => {
    stop();
    req.socket.destroy();
  };
  const onData = (chunk: Buffer) => {
    read += chunk.length;
    if (read > DRAIN_LIMIT_BYTES) cut();
  };
  const timer = setTimeout(cut, DRAIN_TIMEOUT_MS);
  timer.unref();
  const stop = () => {
    clearTimeout(timer);
    req.off('data', onData);
    req.off('end', stop);
    req.off('close', stop);
  };
  req.on('data', onData);
  req.once('end', stop);
  req.once('close', stop);
  req.resume();
  return true;
}
