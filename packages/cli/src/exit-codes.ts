import { TopDogApiError } from '@topdog/client';

/** One exit code per class of failure, so scripts can tell them apart. */
export const EXIT = {
  OK: 0,
  /** Anything unexpected. */
  FAILURE: 1,
  /** Bad arguments, or bad input the API refused (400, 413, 414, 415, 431). */
  USAGE: 2,
  NOT_FOUND: 3,
  /** 409 / 412: the workflow moved on, or a call is already running. */
  CONFLICT: 4,
  /** The gateway did not answer, or a service behind it did not (503), or the caller is over its limit (429). */
  UNAVAILABLE: 5,
  /** 422: a provider setting is missing, a budget would be passed, a key was reused. */
  REFUSED: 6,
  /** `verify` found a broken hash chain. */
  TAMPERED: 7,
  /** 401 / 403: no valid credential, or one whose role or projects do not allow it. */
  DENIED: 8,
} as const;

export function exitCodeOf(err: unknown): number {
  if (!(err instanceof TopDogApiError)) return EXIT.FAILURE;
  switch (err.code) {
    case 'VALIDATION_FAILED':
    case 'PAYLOAD_TOO_LARGE':
    case 'URI_TOO_LONG':
    case 'UNSUPPORTED_MEDIA_TYPE':
    case 'HEADERS_TOO_LARGE':
      return EXIT.USAGE;
    case 'NOT_FOUND':
      return EXIT.NOT_FOUND;
    case 'UNAUTHORIZED':
    case 'FORBIDDEN':
      return EXIT.DENIED;
    case 'CONFLICT':
    case 'PRECONDITION_FAILED':
      return EXIT.CONFLICT;
    case 'UNAVAILABLE':
    case 'REQUEST_TIMEOUT':
    case 'RATE_LIMITED':
    case 'UNREACHABLE':
      return EXIT.UNAVAILABLE;
    case 'PROVIDER_NOT_CONFIGURED':
    case 'BUDGET_EXCEEDED':
    case 'IDEMPOTENCY_KEY_REUSED':
      return EXIT.REFUSED;
    default:
      return EXIT.FAILURE;
  }
}
