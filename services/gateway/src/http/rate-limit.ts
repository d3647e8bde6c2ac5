import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isPublicRoute } from '../auth/access-policy';
import { identityOfOptional } from './authentication';
import { sendError } from './error.filter';

const MINUTE_MS = 60_000;

/**
 * The key a request is counted under: its authenticated actor, so that every credential of one
 * caller shares one budget whatever address it comes from; the address only for a request that
 * has no identity (authentication refuses those first, so this is a fallback, not a path).
 */
export const rateLimitKeyOf = (request: FastifyRequest): string => {
  const identity = identityOfOptional(request);
  return identity ? `actor:${identity.actor}` : `ip:${request.ip}`;
};

/**
 * Limits each identity to `perMinute` requests in a fixed one-minute window; past it, 429
 * RATE_LIMITED in our shape with Retry-After (seconds to the window's end). It runs as an
 * onRequest hook added after authentication's, so it has the identity and counts nothing that
 * authentication refused; the plugin is registered with `global: false` and only lends its
 * store and counting. Liveness, readiness and the docs are not counted.
 */
export async function installRateLimit(fastify: FastifyInstance, perMinute: number): Promise<void> {
  await fastify.register(fastifyRateLimit, { global: false });
  const check = fastify.createRateLimit({ max: perMinute, timeWindow: MINUTE_MS, keyGenerator: rateLimitKeyOf });
  fastify.addHook('onRequest', async (request, reply) => {
    if (isPublicRoute(request.routeOptions.url)) return;
    const limit = await check(request);
    if (limit.isAllowed) return;
    void reply.header('RateLimit-Limit', String(limit.max)).header('RateLimit-Remaining', String(limit.remaining));
    if (!limit.isExceeded) return;
    void reply.header('Retry-After', String(Math.max(1, limit.ttlInSeconds)));
    sendError(reply, {
      code: 'RATE_LIMITED',
      message: `over ${limit.max} requests a minute for this identity`,
      details: [{ field: '(identity)', reason: `retry after ${Math.max(1, limit.ttlInSeconds)} s` }],
    });
    return reply;
  });
}
