import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorResponse, HealthStatus } from '@topdog/contracts';
import type { Logger } from './logger';
import type { Registry } from './metrics';

/** A function returning this instance's health: what it answers over NATS and on its operations port. */
export type HealthCheck = () => Promise<HealthStatus> | HealthStatus;

export interface OpsServerOptions {
  port: number;
  host: string;
  /** This instance's health, as it answers over NATS. */
  health: HealthCheck;
  /** Served as Prometheus text at `/metrics`. */
  metrics?: Registry;
  logger: Logger;
}

export interface OpsServer {
  /** `http://host:port`, with the port the system chose when asked for 0. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A service's own HTTP port for its operators (`METRICS_PORT`): `GET /healthz`, alive (the
 * process answers), `GET /readyz`, this instance's health (503 when it is not ready), and
 * `GET /metrics`, its Prometheus series. A
 * container's health check or an orchestrator's probes ask this instance, where the gateway's
 * `/readyz` asks whichever instance of each service answers first.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server = createServer((req, res) => {
    void answer(req, res, options).catch((err: unknown) => {
      options.logger.error({ err }, 'the operations port failed to answer');
      if (!res.headersSent) send(res, 500, failure('INTERNAL', 'internal error'));
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(req: IncomingMessage, res: ServerResponse, options: OpsServerOptions): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const reading = req.method === 'GET' || req.method === 'HEAD';
  if (reading && path === '/healthz') return send(res, 200, { status: 'ok' });
  if (reading && path === '/readyz') {
    const health = await options.health();
    return send(res, health.ready ? 200 : 503, health);
  }
  if (reading && path === '/metrics' && options.metrics) {
    const text = await options.metrics.metrics();
    res.writeHead(200, { 'Content-Type': options.metrics.contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
    return;
  }
  send(res, 404, failure('NOT_FOUND', `no route ${req.method} ${path}: this port serves GET /healthz, /readyz and /metrics`));
}

const failure = (code: ErrorResponse['error']['code'], message: string): ErrorResponse => ({ error: { code, message, details: [] } });

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}
