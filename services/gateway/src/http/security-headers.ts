import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Swagger UI's own policy (its `staticCSP`: scripts and styles from itself, by hash), made
 * stricter where it can be without breaking it: no framing, and no upgrade of requests, which
 * would send the UI's own fetches to an https that a plain-HTTP deployment does not have.
 */
export const docsCsp = (csp: string): string =>
  csp
    .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
    .replace(/\s*upgrade-insecure-requests;?/, '')
    .trim();

const isDocs = (url: string): boolean => url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs?');

/**
 * Headers for an API (helmet): nosniff, DENY framing, no referrer, a CSP that lets nothing load,
 * frame or submit, as JSON needs nothing (the docs set their own, see docsCsp), and `Cache-Control: no-store` on every API answer, since they
 * carry tenants' data; a route that says otherwise (SSE) keeps its own.
 * Registered before authentication so that its refusals carry them too.
 */
export async function installSecurityHeaders(fastify: FastifyInstance): Promise<void> {
  await fastify.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  fastify.addHook('onRequest', async (request, reply) => {
    if (!isDocs(request.url)) void reply.header('Cache-Control', 'no-store');
  });
}

/**
 * CORS is off (no Access-Control-* headers at all, so browsers keep to the same origin) unless
 * origins are configured; then those origins only, with the headers our API reads and the ones
 * a client needs to see. Registered before authentication: a preflight carries no credential.
 */
export async function installCors(fastify: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return;
  await fastify.register(fastifyCors, {
    origin: [...origins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'Last-Event-ID', 'X-Correlation-Id'],
    exposedHeaders: ['ETag', 'Retry-After', 'X-Correlation-Id', 'RateLimit-Limit', 'RateLimit-Remaining'],
    maxAge: 600,
  });
}
