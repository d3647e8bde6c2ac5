import { buffer } from 'node:stream/consumers';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { docsCsp } from '../http/security-headers';
import { DOCS_ROUTES } from './docs-routes';

/** Request headers the documentation is not given: the connection's, and credentials, which it has no use for. */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'authorization', 'cookie']);
/** Headers of the documentation's answers that the gateway's reply sets itself: the connection's, the date. */
const NOT_COPIED = new Set(['transfer-encoding', 'connection', 'keep-alive', 'date']);

/**
 * Swagger UI at `/docs` and the OpenAPI document at `/docs/json` and `/docs/yaml`, built on the
 * first request for one of them. Most gateways never serve them, and built at start they held
 * some 3 MB of every gateway's idle memory (the document, @fastify/swagger, Swagger UI and what
 * they load: YAML, glob, an LRU cache). They live in a Fastify instance of their own, made once;
 * the gateway's route forwards each request to it (`inject`, in memory, its files streamed) and
 * sends the answer through the gateway's own reply, so that the gateway's hooks (security
 * headers, CORS, metrics, tracing, the error shape) apply to them as to every other answer.
 * A build that fails (a package missing from node_modules, a schema the document cannot
 * describe) is not tried again: each request for the docs is a 500, logged with its cause by the
 * gateway's error handler, until the gateway restarts.
 */
export function installDocs(fastify: FastifyInstance): void {
  let docsApp: Promise<FastifyInstance> | undefined;
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    docsApp ??= buildDocs();
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !NOT_FORWARDED.has(name)));
    const answer = await (await docsApp).inject({ method: request.method as 'GET' | 'HEAD', url: request.url, headers, payloadAsStream: true });
    const body = answer.stream();
    // Its own failure is the gateway's: logged and answered in the API's shape by its error handler.
    if (answer.statusCode >= 500) throw new Error(`the API documentation answered ${answer.statusCode} to ${request.method} ${request.url}`);
    // A refusal (a 404) is read whole: the gateway's onSend hook rewrites it into the API's error shape, with a length of its own.
    const refused = answer.statusCode >= 400;
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !NOT_COPIED.has(name) && !(refused && name === 'content-length')) void reply.header(name, value);
    }
    void reply.code(answer.statusCode);
    // A HEAD keeps the length its GET would have (Fastify sends no body for it); a 304 has none.
    if (request.method === 'HEAD' || answer.statusCode === 304) return reply.send();
    return reply.send(refused ? await buffer(body) : body);
  };
  for (const url of DOCS_ROUTES) fastify.route({ method: ['GET', 'HEAD'], url, handler });
  fastify.addHook('onClose', async () => {
    await (await docsApp?.catch(() => undefined))?.close();
  });
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
  await app.register(swaggerUi, { routePrefix: DOCS_ROUTES[0], staticCSP: true, transformStaticCSP: docsCsp });
  await app.ready();
  return app;
}
