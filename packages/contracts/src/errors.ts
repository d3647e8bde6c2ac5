import * as z from 'zod';

/**
 * Every error code the system answers with. The gateway maps them to HTTP statuses in one
 * place; services send them in replies. `RETRYABLE_CODES` (retry.ts) lists those a caller may retry as is.
 */
export const ErrorCode = z.enum([
  'VALIDATION_FAILED',
  /** No credential, a malformed Authorization header, or one that is unknown, revoked, expired or invalid. */
  'UNAUTHORIZED',
  /** A valid credential whose role may not do this (or whose projects do not include the one named). */
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'PRECONDITION_FAILED',
  /** The client sent its request too slowly (the HTTP server's request time limit). */
  'REQUEST_TIMEOUT',
  'IDEMPOTENCY_KEY_REUSED',
  'PAYLOAD_TOO_LARGE',
  /** A path parameter over the router's length limit: details name it. */
  'URI_TOO_LONG',
  'UNSUPPORTED_MEDIA_TYPE',
  /** Request headers over the HTTP server's size limit. */
  'HEADERS_TOO_LARGE',
  /** The model's provider lacks a setting (an API key, a base URL): details name it. */
  'PROVIDER_NOT_CONFIGURED',
  /** A model call could exceed the workflow's budget: it was not made. */
  'BUDGET_EXCEEDED',
  /** Over a per-caller limit (requests a minute, open live-event streams): Retry-After says when to try again. */
  'RATE_LIMITED',
  'UNAVAILABLE',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** One problem with the input: where it is (a dotted path) and what is wrong. */
export const ErrorDetail = z.object({ field: z.string(), reason: z.string() });
export type ErrorDetail = z.infer<typeof ErrorDetail>;

export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.array(ErrorDetail).default([]),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The one error shape of the REST API. */
export const ErrorResponse = z.object({ error: ErrorBody });
export type ErrorResponse = z.infer<typeof ErrorResponse>;

/** A typed failure that crosses process boundaries as an ErrorBody. */
export class TopDogError extends Error {
  override readonly name = 'TopDogError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, details: this.details };
  }

  static fromBody(body: ErrorBody): TopDogError {
    return new TopDogError(body.code, body.message, body.details);
  }
}

/** Turns zod issues into error details naming each field and the reason. */
export function detailsFromZod(error: z.ZodError, root = ''): ErrorDetail[] {
  const field = (path: PropertyKey[]) => [root, path.map(String).join('.')].filter(Boolean).join('.') || '(body)';
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: field([...issue.path, key]), reason: 'unknown field' }))
      : [{ field: field(issue.path), reason: issue.message }],
  );
}
