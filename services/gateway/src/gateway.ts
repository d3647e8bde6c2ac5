import 'reflect-metadata';
import type { NatsConnection } from '@nats-io/transport-node';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { eventStoreChoice, openEventStore } from '@topdog/event-store';
import { createMetricsRegistry, untilJetStreamReady, type Logger } from '@topdog/runtime';
import { PinoNestLogger } from '@topdog/runtime/nest';
import type { GatewayConfig } from './config';
import { AppliedPositionWatcher } from './consistency/applied-position-watcher';
import { ErrorFilter, sendError } from './http/error.filter';
import { frameworkErrors } from './http/framework-errors';
import { unsupportedMediaType } from './http/media-type';
import { GatewayModule } from './http/gateway.module';
import { installDocs } from './openapi/docs';
import { createAdminApi } from './admin/admin-api';
import { createCompareApi } from './compare/compare-api';
import { createAuditApi } from './audit/audit-api';
import { ApiKeyStore } from './auth/api-key-store';
import { createApiKeysApi } from './auth/api-keys-api';
import { actorOfKey, createAuthenticator } from './auth/authenticator';
import { createJwtVerifier } from './auth/jwt-verifier';
import { installAuthentication } from './http/authentication';
import { installRateLimit } from './http/rate-limit';
import { installCors, installSecurityHeaders } from './http/security-headers';
import { slowClientTimeouts } from './http/slow-client-timeouts';
import { createEventFeeds } from './live/event-feeds';
import { LiveStreams } from './live/live-streams';
import { createReadiness, requiredServices } from './workflows/readiness';
import { createWorkflowApi } from './workflows/workflow-api';
import { createWorkflowListApi } from './listing/workflow-list-api';
import { createWebhooksApi } from './webhooks/webhooks-api';
import { installGatewayMetrics } from './observability/gateway-metrics';
import { installHttpTracing } from './observability/http-tracing';
import { installDashboard } from './dashboard/dashboard';

export interface RunningGateway {
  url: string;
  close(): Promise<void>;
}

/** Composes the gateway: NATS-backed use cases behind a Nest app on Fastify. */
export async function startGateway(config: GatewayConfig, nc: NatsConnection, logger: Logger): Promise<RunningGateway> {
  const watcher = new AppliedPositionWatcher(nc, config.TOPDOG_PREFIX, config.PROJECTOR_LIVENESS_MS);
  watcher.start();
  const api = createWorkflowApi({
    nc,
    prefix: config.TOPDOG_PREFIX,
    watcher,
    requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS,
    readYourWritesTimeoutMs: config.READ_YOUR_WRITES_TIMEOUT_MS,
  });
  const store = await untilJetStreamReady(
    'opening the event stream',
    () => openEventStore(eventStoreChoice(config), nc, { prefix: config.TOPDOG_PREFIX, logger }),
    logger,
  );
  const live = new LiveStreams(createEventFeeds({ store, nc, prefix: config.TOPDOG_PREFIX, requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS }), {
    heartbeatMs: config.SSE_HEARTBEAT_MS,
    maxBufferedBytes: config.SSE_MAX_BUFFERED_BYTES,
    maxPerIdentity: config.SSE_MAX_CONNECTIONS_PER_IDENTITY,
  });
  const keys = await untilJetStreamReady(
    'opening the API keys',
    () => ApiKeyStore.open(nc, config.TOPDOG_PREFIX, logger, { replicas: config.API_KEYS_REPLICAS }),
    logger,
  );
  // A revoked key's open live-event streams end at once, here as on every other instance.
  keys.onRevoked((id) => live.closeFor(actorOfKey(id)));
  if (!config.TOPDOG_ADMIN_KEY && !config.AUTH_JWKS_URL) {
    logger.warn('neither TOPDOG_ADMIN_KEY nor AUTH_JWKS_URL is set: only API keys already made are accepted');
  }
  const jwt =
    config.AUTH_JWKS_URL && config.AUTH_ISSUER && config.AUTH_AUDIENCE
      ? createJwtVerifier({
          jwksUrl: config.AUTH_JWKS_URL,
          issuer: config.AUTH_ISSUER,
          audience: config.AUTH_AUDIENCE,
          projectsClaim: config.AUTH_PROJECTS_CLAIM,
          roleClaim: config.AUTH_ROLE_CLAIM,
        })
      : undefined;
  const authenticate = createAuthenticator({ keys, adminKey: config.TOPDOG_ADMIN_KEY, jwt });
  const errors = frameworkErrors();
  const adapter = new FastifyAdapter({
    // No Nest middleware here (hooks do that work): without middie, no empty middleware chain
    // runs on every request. Nest middleware added later would need middie registered here
    // (with skipMiddie, Nest takes the app to register it itself).
    skipMiddie: true,
    bodyLimit: config.BODY_LIMIT_BYTES,
    logger: false,
    ...slowClientTimeouts(config),
    ...errors.options,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.register({
      api,
      listing: createWorkflowListApi({ nc, prefix: config.TOPDOG_PREFIX, requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS }),
      audit: createAuditApi(store),
      compare: createCompareApi(store),
      admin: createAdminApi(nc, config.TOPDOG_PREFIX, config.NATS_REQUEST_TIMEOUT_MS),
      keys: createApiKeysApi(keys),
      webhooks: createWebhooksApi(nc, config.TOPDOG_PREFIX, config.NATS_REQUEST_TIMEOUT_MS),
      live,
      store,
      readiness: createReadiness({
        nc,
        prefix: config.TOPDOG_PREFIX,
        services: requiredServices(config.EVENT_STORE),
        eventStreamHead: () => store.headPosition(),
      }),
    }),
    adapter,
    { logger: new PinoNestLogger(logger) },
  );
  app.useGlobalFilters(new ErrorFilter(logger));
  const fastify = app.getHttpAdapter().getInstance();
  errors.install(fastify);
  // Order is meaning: headers and CORS answer before authentication (refusals and preflights
  // carry them), and the rate limit counts after it, by identity.
  // First: a request refused by a later hook (authentication, the rate limit) has its span too.
  installHttpTracing(fastify);
  const metrics = createMetricsRegistry();
  installGatewayMetrics(fastify, metrics, { liveConnections: () => live.count });
  fastify.get('/metrics', async (_request, reply) =>
    reply
      .header('Content-Type', metrics.contentType)
      .header('Cache-Control', 'no-store')
      .send(await metrics.metrics()),
  );
  installSecurityHeaders(fastify);
  await installCors(fastify, config.CORS_ORIGINS);
  installAuthentication(fastify, authenticate);
  await installRateLimit(fastify, config.RATE_LIMIT_PER_MINUTE);
  fastify.addHook('onRequest', async (request, reply) => {
    const rejection = unsupportedMediaType(request.method, request.headers);
    if (rejection) sendError(reply, rejection);
  });
  installDocs(fastify);
  await installDashboard(fastify, config.DASHBOARD_DIR, logger);
  await app.listen(config.PORT, config.HOST);
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  return {
    url: `http://${config.HOST}:${port}`,
    async close() {
      watcher.stop();
      live.closeAll();
      await app.close();
      await keys.close();
      await store.close();
    },
  };
}
