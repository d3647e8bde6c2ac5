import { Counter, Histogram, readingGauge, REQUEST_SECONDS_BUCKETS, type Registry } from '@topdog/runtime';
import type { FastifyInstance } from 'fastify';
import { errorCodeOf } from './error-codes';

export interface GatewayMetricsOptions {
  /** Live-event streams open now. */
  liveConnections: () => number;
}

/**
 * The gateway's series: every HTTP request's latency by method, route (the pattern, never the
 * raw URL: a label per workflow would grow without end) and status (499 when the client closed
 * first); error answers by code; open live-event streams. `/metrics` itself and the live streams
 * are left out of the latencies.
 */
export function installGatewayMetrics(fastify: FastifyInstance, registry: Registry, options: GatewayMetricsOptions): void {
  const duration = new Histogram({
    name: 'topdog_http_request_duration_seconds',
    help: 'HTTP requests from arrival to the response sent, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: REQUEST_SECONDS_BUCKETS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'topdog_http_errors_total',
    help: 'Error answers by code (VALIDATION_FAILED, UNAUTHORIZED, NOT_FOUND, UNAVAILABLE, …)',
    labelNames: ['code'],
    registers: [registry],
  });
  readingGauge(registry, {
    name: 'topdog_live_connections',
    help: 'Live-event streams (SSE) open on this gateway',
    read: options.liveConnections,
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    // On the response's close, not Fastify's onResponse: that one is skipped when the client goes
    // away first, and the slowest requests would go uncounted. 499: the client closed first.
    reply.raw.once('close', () => {
      const route = request.routeOptions.url ?? 'unmatched';
      const code = errorCodeOf(request);
      if (code) errors.inc({ code });
      // Live-event streams last as long as their client: counted by topdog_live_connections, not as latencies.
      if (route === '/metrics' || String(reply.raw.getHeader('content-type') ?? '').startsWith('text/event-stream')) return;
      const status = reply.raw.writableFinished ? reply.raw.statusCode : 499;
      duration.observe({ method: request.method, route, status_code: String(status) }, reply.elapsedTime / 1000);
    });
    done();
  });
}
