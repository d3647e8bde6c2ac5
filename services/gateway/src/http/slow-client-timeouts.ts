import type { Server } from 'node:http';
import type { FastifyHttpOptions } from 'fastify';

/**
 * Node's own guards against slow clients, through the Fastify adapter's options: the headers
 * must arrive within `headersTimeout` and the whole request within `requestTimeout`, else the
 * parser's ERR_HTTP_REQUEST_TIMEOUT is answered 408 REQUEST_TIMEOUT (see frameworkErrors) and the
 * socket closed. Node checks these on a timer (30 s by default), which would let a client hold
 * a socket far past its limit: it checks here at a quarter of the shorter one. The request
 * timeout bounds receiving the request only, so SSE streams are not cut by it.
 */
export function slowClientTimeouts(limits: {
  HTTP_HEADERS_TIMEOUT_MS: number;
  HTTP_REQUEST_TIMEOUT_MS: number;
}): Pick<FastifyHttpOptions<Server>, 'requestTimeout' | 'http'> {
  return {
    requestTimeout: limits.HTTP_REQUEST_TIMEOUT_MS,
    http: {
      headersTimeout: limits.HTTP_HEADERS_TIMEOUT_MS,
      connectionsCheckingInterval: Math.max(25, Math.min(1_000, Math.floor(limits.HTTP_HEADERS_TIMEOUT_MS / 4))),
    },
  };
}
