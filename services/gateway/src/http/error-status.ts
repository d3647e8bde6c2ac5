import type { ErrorCode } from '@topdog/contracts';

/** The one map from error codes to HTTP statuses. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HEADERS_TOO_LARGE: 431,
  IDEMPOTENCY_KEY_REUSED: 422,
  PROVIDER_NOT_CONFIGURED: 422,
  BUDGET_EXCEEDED: 422,
  INTERNAL: 500,
  UNAVAILABLE: 503,
};
