import type { IncomingMessage, ServerResponse } from 'node:http';
import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import { isDashboardRoute } from '../dashboard/dashboard-routes';
import { isDocsRoute } from '../openapi/docs-routes';

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

/**
 * The headers of the dashboard's files: the API's (see apiSecurityHeaders) with a CSP that lets
 * the page load its own scripts, styles and images and call its own origin, and nothing from
 * anywhere else (everything it needs is bundled). No inline script or style is allowed.
 */
const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The headers helmet sets for an API, worked out once: nosniff, DENY framing, no referrer, a CSP
 * that lets nothing load, frame or submit, as JSON needs nothing (the docs set their own, see
 * docsCsp), HSTS and the cross-origin policies (OWASP's list for a REST API). Helmet's
 * middleware run against a response that only records what is set: they are the same for every
 * request.
 */
export function apiSecurityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  const middleware = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Headers that only an HTML page makes use of (and old browsers' ones): a JSON answer is no
    // page, and each header costs every request CPU to write.
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw new Error('helmet refused its options', { cause: err });
  });
  return headers;
}

/** The headers of every API answer: the security headers, and no caching (they carry tenants' data). */
export const apiAnswerHeaders = (): Record<string, string> => ({ ...apiSecurityHeaders(), 'cache-control': 'no-store' });

/**
 * Sets the security headers on every answer (the dashboard's with its own CSP), and
 * `Cache-Control: no-store` on every API answer,
 * since they carry tenants' data (a route that says otherwise, SSE, keeps its own). One hook
 * setting headers worked out at start-up: `@fastify/helmet` builds helmet's middleware again for
 * every request, which cost some 75 µs of CPU a request. Registered before authentication so
 * that its refusals carry them too.
 */
export function installSecurityHeaders(fastify: FastifyInstance): void {
  const docs = apiSecurityHeaders();
  const api = apiAnswerHeaders();
  // The dashboard's files say how long they may be cached themselves (see installDashboard).
  const dashboard = { ...docs, 'content-security-policy': DASHBOARD_CSP };
  fastify.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url;
    void reply.headers(isDashboardRoute(route) ? dashboard : isDocsRoute(route) ? docs : api);
    done();
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
