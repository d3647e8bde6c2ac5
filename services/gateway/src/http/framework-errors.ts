import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ErrorResponse, type ErrorBody } from '@topdog/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { noteErrorCode } from '../observability/error-codes';
import { HTTP_STATUS } from './error-status';
import { errorBodyOfStatus, sendError } from './error.filter';
import { malformedEscape, RouteParams } from './route-params';

/** Fastify's default, kept: our only path parameter, a UUID, is 36 characters. */
export const MAX_PARAM_LENGTH = 100;

/** The router's own errors, raised before a route (and so Nest's filter) is chosen. */
export function routerErrorBody(error: { code?: string; message: string }, url: string, params: RouteParams): ErrorBody {
  switch (error.code) {
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return {
        code: 'URI_TOO_LONG',
        message: 'a path parameter is too long',
        details: [{ field: params.find(url, (s) => s.length > MAX_PARAM_LENGTH) ?? '(path)', reason: `longer than ${MAX_PARAM_LENGTH} characters` }],
      };
    case 'FST_ERR_BAD_URL':
      return {
        code: 'VALIDATION_FAILED',
        message: 'invalid request',
        details: [{ field: params.find(url, malformedEscape) ?? '(path)', reason: 'not valid percent-encoding' }],
      };
    default:
      // FST_ERR_ASYNC_CONSTRAINT: a route constraint could not be read from the request's headers.
      return errorBodyOfStatus(400, error.message);
  }
}

/** Errors of Node's HTTP parser, raised before Fastify has a request: a malformed request line or header, headers too large, too slow. */
export function clientErrorBody(err: Error & { code?: string; reason?: string }): ErrorBody {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return errorBodyOfStatus(431, 'over the server limit');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return errorBodyOfStatus(413, '');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return errorBodyOfStatus(408, 'the request was not received in time');
    default:
      return errorBodyOfStatus(400, `malformed HTTP request: ${err.reason ?? err.message}`);
  }
}

/** Answers a parser error on the raw socket, as Node would, in our shape; then closes it. */
function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // As Node does: no answer when one is already being written on this connection, which it would corrupt.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const body = clientErrorBody(err);
    const status = HTTP_STATUS[body.code];
    const json = JSON.stringify({ error: body });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy();
}

/**
 * A 4xx about to leave in some other shape (a plugin's own reply, say) is rewritten into ours,
 * by its status. 5xx pass: /readyz's 503 carries each service's state. Streams (SSE, NDJSON)
 * are ours and pass untouched.
 */
function keepErrorShape(request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: Error | null, payload: unknown) => void): void {
  if (reply.statusCode < 400 || reply.statusCode >= 500 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) return done(null, payload);
  const text = payload.toString();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: certainly not our shape.
  }
  if (ErrorResponse.safeParse(parsed).success) return done(null, payload);
  const message = (parsed as { message?: unknown } | undefined)?.message;
  const body = errorBodyOfStatus(reply.statusCode, typeof message === 'string' ? message : text.slice(0, 200));
  noteErrorCode(request, body.code);
  reply.code(HTTP_STATUS[body.code]).header('Content-Type', 'application/json; charset=utf-8').removeHeader('content-length');
  done(null, JSON.stringify({ error: body }));
}

/**
 * Every error Fastify or Node's HTTP server answers by itself, in our one shape: the router's
 * (`frameworkErrors`: an over-long path parameter is 414 URI_TOO_LONG naming it, a malformed
 * %-escape 400), the parser's (`clientErrorHandler`: 400, 431 HEADERS_TOO_LARGE), and, as a
 * catch-all, any other 4xx (onSend). Nest's filter handles the rest (404 included).
 * `options` go to the Fastify adapter; `install` runs before the routes are registered.
 */
export function frameworkErrors(): {
  options: Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler' | 'routerOptions'>;
  install(fastify: FastifyInstance): void;
} {
  const params = new RouteParams();
  return {
    options: {
      routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
      frameworkErrors: (error, request, reply) => sendError(reply, routerErrorBody(error, request.raw.url ?? '', params)),
      clientErrorHandler: answerClientError,
    },
    install(fastify) {
      fastify.addHook('onRoute', (route) => params.add(route.url));
      fastify.addHook('onSend', keepErrorShape);
    },
  };
}
