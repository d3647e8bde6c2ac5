import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { TopDogError, type ErrorBody } from '@topdog/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { drainRequest } from './drain-request';
import { HTTP_STATUS } from './error-status';
import { noteErrorCode } from '../observability/error-codes';

/** Fastify's own errors for bodies it could not read, by code. */
const FASTIFY_ERRORS: Record<string, (message: string) => ErrorBody> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => ({ code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large', details: [] }),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => ({
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'send the body as application/json',
    details: [{ field: 'Content-Type', reason: 'must be application/json' }],
  }),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => ({
    code: 'VALIDATION_FAILED',
    message: 'invalid request',
    details: [{ field: '(body)', reason: 'a JSON body is required' }],
  }),
  FST_ERR_CTP_INVALID_JSON_BODY: (message) => ({
    code: 'VALIDATION_FAILED',
    message: 'invalid request',
    details: [{ field: '(body)', reason: `not valid JSON: ${message}` }],
  }),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => ({
    code: 'VALIDATION_FAILED',
    message: 'invalid request',
    details: [{ field: 'Content-Length', reason: 'does not match the body sent' }],
  }),
};

/**
 * The body for an error known only by its HTTP status, as the framework raised it: every 4xx
 * is the client's and keeps a 4xx code, whichever status the framework chose.
 */
export function errorBodyOfStatus(status: number, reason: string): ErrorBody {
  switch (status) {
    case 404:
      return { code: 'NOT_FOUND', message: 'no such endpoint', details: [] };
    case 408:
      return { code: 'REQUEST_TIMEOUT', message: 'the request was not received in time', details: [{ field: '(request)', reason }] };
    case 413:
      return FASTIFY_ERRORS.FST_ERR_CTP_BODY_TOO_LARGE!('');
    case 414:
      return { code: 'URI_TOO_LONG', message: 'the URL is too long', details: [{ field: '(path)', reason }] };
    case 415:
      return FASTIFY_ERRORS.FST_ERR_CTP_INVALID_MEDIA_TYPE!('');
    case 429:
      return { code: 'RATE_LIMITED', message: 'too many requests', details: [{ field: '(identity)', reason }] };
    case 431:
      return { code: 'HEADERS_TOO_LARGE', message: 'the request headers are too large', details: [{ field: '(headers)', reason }] };
    case 503:
      return { code: 'UNAVAILABLE', message: 'service unavailable', details: [] };
  }
  if (status >= 400 && status < 500) return { code: 'VALIDATION_FAILED', message: 'invalid request', details: [{ field: '(request)', reason }] };
  return { code: 'INTERNAL', message: 'internal error', details: [] };
}

/** Turns anything thrown while handling a request into the one error shape. */
export function errorBodyOf(exception: unknown): ErrorBody {
  if (exception instanceof TopDogError) return exception.toBody();
  const code = (exception as { code?: unknown })?.code;
  if (typeof code === 'string' && FASTIFY_ERRORS[code]) return FASTIFY_ERRORS[code]((exception as Error).message);
  if (exception instanceof SyntaxError) return FASTIFY_ERRORS.FST_ERR_CTP_INVALID_JSON_BODY!(exception.message);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return { code: 'NOT_FOUND', message: 'no such endpoint', details: [] };
    if (status === 413) return FASTIFY_ERRORS.FST_ERR_CTP_BODY_TOO_LARGE!('');
    if (status === 415) return FASTIFY_ERRORS.FST_ERR_CTP_INVALID_MEDIA_TYPE!('');
    if (status >= 400 && status < 500) {
      return { code: 'VALIDATION_FAILED', message: 'invalid request', details: [{ field: '(body)', reason: exception.message }] };
    }
  }
  const statusCode = (exception as { statusCode?: unknown })?.statusCode;
  if (statusCode === 400) return FASTIFY_ERRORS.FST_ERR_CTP_INVALID_JSON_BODY!((exception as Error).message);
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return errorBodyOfStatus(statusCode, (exception as Error).message);
  return { code: 'INTERNAL', message: 'internal error', details: [] };
}

/** When a caller over a limit that has no window (open streams) may try again, in seconds. */
const RATE_LIMITED_RETRY_AFTER_S = 5;

/**
 * Sends an error in the one shape; UNAVAILABLE and RATE_LIMITED say when to retry (the rate
 * limit sets its own Retry-After, the end of its window). An answer given before the
 * body was read (413, 415…) lets the client finish sending it (see drainRequest); every other
 * keeps the connection open for the next request.
 */
export function sendError(reply: FastifyReply, body: ErrorBody): void {
  const status = HTTP_STATUS[body.code];
  noteErrorCode(reply.request, body.code);
  if (body.code === 'UNAVAILABLE') void reply.header('Retry-After', '1');
  if (body.code === 'RATE_LIMITED' && !reply.hasHeader('retry-after')) void reply.header('Retry-After', String(RATE_LIMITED_RETRY_AFTER_S));
  if (body.code === 'UNAUTHORIZED') void reply.header('WWW-Authenticate', 'Bearer realm="topdog"');
  if (!reply.request.raw.complete) {
    if (drainRequest(reply.request.raw)) reply.removeHeader('connection');
    else void reply.header('Connection', 'close');
  } else {
    // The body was read whole, so the connection can carry the next request: fastify closes it
    // after a body it could not parse, which costs a keep-alive client a new connection.
    reply.removeHeader('connection');
  }
  void reply.status(status).header('Content-Type', 'application/json; charset=utf-8').send({ error: body });
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const body = errorBodyOf(exception);
    if (body.code === 'INTERNAL' || body.code === 'UNAVAILABLE') {
      const request = http.getRequest<FastifyRequest>();
      const workflowId =
        (request.params as { workflow_id?: string } | undefined)?.workflow_id ?? (request.body as { workflow_id?: unknown } | undefined)?.workflow_id;
      const correlationId = request.headers['x-correlation-id'];
      this.logger.error({ err: exception, workflowId, correlationId, method: request.method, url: request.url }, body.message);
    }
    sendError(reply, body);
  }
}
