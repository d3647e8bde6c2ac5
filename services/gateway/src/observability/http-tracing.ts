import { context, contextFromHttpHeaders, SpanKind, SpanStatusCode, trace, tracer, tracingOn, type Span } from '@topdog/runtime';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * With tracing on, every HTTP request gets a server span (`POST /api/ai-workflows/initialize`),
 * continuing the caller's trace when it sends a `traceparent`. The route runs inside the span,
 * so the NATS requests it makes carry the trace on to the services. Install it before the other
 * hooks (a request they refuse is traced too); it must stay the only preHandler hook, since the
 * route handler has to be called from inside the span's context.
 */
export function installHttpTracing(fastify: FastifyInstance): void {
  if (!tracingOn()) return;
  const spans = new WeakMap<FastifyRequest, { span: Span; parent: ReturnType<typeof contextFromHttpHeaders> }>();
  fastify.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url;
    // Probes and scrapes would each make a trace every few seconds.
    if (route === '/metrics' || route === '/healthz' || route === '/readyz') return done();
    const parent = contextFromHttpHeaders(request.headers);
    const span = tracer().startSpan(
      route ? `${request.method} ${route}` : request.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          ...(route ? { 'http.route': route } : {}),
          'url.path': request.url.split('?')[0],
          'url.scheme': request.protocol,
        },
      },
      parent,
    );
    spans.set(request, { span, parent });
    // Ended when the response closes, finished or cut short by the client (Fastify's onResponse misses the latter).
    reply.raw.once('close', () => {
      const status = reply.raw.writableFinished ? reply.raw.statusCode : undefined;
      if (status !== undefined) span.setAttribute('http.response.status_code', status);
      else span.setAttribute('error.type', 'client_closed');
      if (status === undefined || status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    done();
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    const traced = spans.get(request);
    if (!traced) return done();
    // Fastify calls the route's handler from `done`: it runs, and its awaits continue, in the span's context.
    context.with(trace.setSpan(traced.parent, traced.span), done);
  });
}
