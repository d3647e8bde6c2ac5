import { Counter, Gauge, Histogram, REQUEST_SECONDS_BUCKETS, type Registry } from '@topdog/runtime';
import type { FastifyInstance } from 'fastify';
import { errorCodeOf } from './error-codes';

export interface GatewayMetricsOptions {
  /** Live-event streams open now. */
  liveConnections: () => number;
}

/**
 * The gateway's series: every HTTP request's latency by method, route (the pattern, never the
 * raw URL: a label per workflow would grow without end) and status; error answers by code; open
 * live-event streams. `/metrics` itself is left out of the latencies.
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
  new Gauge({
    name: 'topdog_live_connections',
    help: 'Live-event streams (SSE) open on this gateway',
    registers: [registry],
    collect() {
      this.set(options.liveConnections());
    },
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    duration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    const code = errorCodeOf(request);
    if (code) errors.inc({ code });
  });
}
