import { ErrorResponse, isRetryableCode, type ErrorDetail } from '@topdog/contracts';

/** A failed API call: the HTTP status and the API's error code, message and details (status 0: no answer). */
export class TopDogApiError extends Error {
  override readonly name = 'TopDogApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /**
   * Worth sending again as is after a back-off: no answer, a code the API marks retryable, or a
   * proxy in front of the gateway saying it could not reach it (502, 504).
   */
  get retryable(): boolean {
    return this.status === 0 || this.status === 502 || this.status === 504 || isRetryableCode(this.code);
  }

  /** The error an API response carries, or one describing a response that is not the API's. */
  static fromResponse(status: number, body: unknown): TopDogApiError {
    const parsed = ErrorResponse.safeParse(body);
    if (parsed.success) return new TopDogApiError(status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.details);
    return new TopDogApiError(status, status >= 500 ? 'INTERNAL' : 'UNEXPECTED_RESPONSE', `HTTP ${status}`);
  }

  static unreachable(baseUrl: string, cause: unknown): TopDogApiError {
    return new TopDogApiError(0, 'UNREACHABLE', `no answer from ${baseUrl}: ${(cause as Error)?.message ?? cause}`, [], { cause });
  }
}
