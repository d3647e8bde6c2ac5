import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { docsCsp } from '../http/security-headers';

/** The request headers the documentation's answers depend on (its files' caching and ranges). */
const FORWARDED = ['accept', 'accept-encoding', 'if-none-match', 'if-modified-since', 'range'] as const;
/** Headers of the documentation's own answers that describe its connection, not the answer: ours sets its own. */
const HOP_BY_HOP = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);

/**
 * Swagger UI at `/docs` and the OpenAPI document at `/docs/json` and `/docs/yaml`, built on the
 * first request for one of them. Most gateways never serve them, and built at start they held
 * some 3 MB of every gateway's idle memory (the document, @fastify/swagger, Swagger UI and what
 * they load: YAML, glob, an LRU cache). They live in a Fastify instance of their own, made once;
 * the gateway's route forwards each request to it (`inject`, in memory) and sends its answer
 * through the gateway's own reply, so that the gateway's hooks (security headers, CORS, metrics,
 * tracing, the error shape) apply to them as to every other answer.
 */
export function installDocs(fastify: FastifyInstance): void {
  let docs: Promise<FastifyInstance> | undefined;
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    // A failed build (a package missing from node_modules) is tried again by the next request.
    docs ??= buildDocs().catch((err: unknown) => {
      docs = undefined;
      throw err;
    });
    const headers = Object.fromEntries(FORWARDED.flatMap((name) => (request.headers[name] === undefined ? [] : [[name, request.headers[name]]])));
    const answer = await (await docs).inject({ method: request.method as 'GET' | 'HEAD', url: request.url, headers });
    // A HEAD keeps the length its GET would have; Fastify sends no body for it.
    const dropped = (name: string) => HOP_BY_HOP.has(name) && !(name === 'content-length' && request.method === 'HEAD');
    for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !dropped(name)) void reply.header(name, value);
    void reply.code(answer.statusCode);
    return answer.rawPayload.length > 0 ? reply.send(answer.rawPayload) : reply.send();
  };
  fastify.route({ method: ['GET', 'HEAD'], url: '/docs', handler });
  fastify.route({ method: ['GET', 'HEAD'], url: '/docs/*', handler });
}

async function buildDocs(): Promise<FastifyInstance> {
  const [{ default: Fastify }, { default: swagger }, { default: swaggerUi }, { openApiDocument }] = await Promise.all([
    import('fastify'),
    import('@fastify/swagger'),
    import('@fastify/swagger-ui'),
    import('./openapi'),
  ]);
  const app = Fastify({ logger: false });
  await app.register(swagger as never, { mode: 'static', specification: { document: openApiDocument() } });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, transformStaticCSP: docsCsp });
  await app.ready();
  return app;
}
