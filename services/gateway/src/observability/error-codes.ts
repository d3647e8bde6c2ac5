import type { ErrorCode } from '@topdog/contracts';
import type { FastifyRequest } from 'fastify';

/** The error code each refused request was answered with (set where errors are sent, read by the metrics). */
const answered = new WeakMap<FastifyRequest, ErrorCode>();

export const noteErrorCode = (request: FastifyRequest, code: ErrorCode): void => void answered.set(request, code);
export const errorCodeOf = (request: FastifyRequest): ErrorCode | undefined => answered.get(request);
