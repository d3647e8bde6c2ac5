import { BaseConfig, intSetting } from '@topdog/runtime';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';

export const GatewayConfig = BaseConfig.extend({
  PORT: intSetting(3000, 0, 65_535),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Requests one identity may make in a minute; past it, 429 RATE_LIMITED with Retry-After. /healthz and /readyz are not counted. */
  RATE_LIMIT_PER_MINUTE: intSetting(6_000, 1),
  /** Live-event (SSE) streams one identity may hold open at once; one more is 429 RATE_LIMITED. */
  SSE_MAX_CONNECTIONS_PER_IDENTITY: intSetting(20, 1),
  /** How long a client may take to send a request's headers; slower is 408 REQUEST_TIMEOUT (or the socket closed). */
  HTTP_HEADERS_TIMEOUT_MS: intSetting(10_000, 100, 600_000),
  /** How long a client may take to send a whole request, headers and body; slower is 408 REQUEST_TIMEOUT. */
  HTTP_REQUEST_TIMEOUT_MS: intSetting(30_000, 100, 3_600_000),
  /** Origins (comma-separated, e.g. `https://app.example.com`) a browser may call the API from; unset, CORS is off. */
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((u) => new URL(u).origin))),
  /** Largest request body accepted; larger is 413. */
  BODY_LIMIT_BYTES: intSetting(1024 * 1024, 1024),
  /** How long a command or query may take over NATS before the answer is 503. */
  NATS_REQUEST_TIMEOUT_MS: intSetting(5_000, 50, 120_000),
  /** How long a command's reply waits for the projector to apply it (read-your-writes). */
  READ_YOUR_WRITES_TIMEOUT_MS: intSetting(2_000, 0, 60_000),
  /** A projector instance not heard from for this long no longer counts for read-your-writes. */
  PROJECTOR_LIVENESS_MS: intSetting(3_000, 500, 60_000),
  /** Replicas of the event stream (the gateway reads it for audit and live events). */
  EVENT_STREAM_REPLICAS: intSetting(1, 1, 5),
  /** SSE comment heartbeats, so proxies keep idle streams open. */
  SSE_HEARTBEAT_MS: intSetting(15_000, 100),
  /**
   * Bytes an SSE client may leave unread before it is closed with an `overflow` event. At least
   * 64 KiB: a sender of stored events waits past half of it, and Node asks it to wait only past
   * an HTTP response's 16-KiB high-water mark, so under some 32 KiB it would overflow instead.
   */
  SSE_MAX_BUFFERED_BYTES: intSetting(1024 * 1024, 64 * 1024),
  /** An admin API key for every project, from the environment (a secret: never logged). */
  TOPDOG_ADMIN_KEY: z
    .string()
    .regex(/^tdk_[A-Za-z0-9_-]{32,200}$/, 'must be tdk_ followed by 32 to 200 letters, digits, _ or -')
    .optional(),
  /** Replicas of the API keys' KV bucket. */
  API_KEYS_REPLICAS: intSetting(1, 1, 5),
  /** OIDC: where the issuer publishes its signing keys. With it, bearer JWTs are accepted. */
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The `iss` a JWT must have (required with AUTH_JWKS_URL). */
  AUTH_ISSUER: z.string().min(1).optional(),
  /** The `aud` a JWT must include (required with AUTH_JWKS_URL). */
  AUTH_AUDIENCE: z.string().min(1).optional(),
  /** The claim listing the caller's projects (an array, or names separated by spaces; `*` for all). */
  AUTH_PROJECTS_CLAIM: z.string().min(1).default('topdog_projects'),
  /** The claim naming the caller's role: reader, writer or admin. */
  AUTH_ROLE_CLAIM: z.string().min(1).default('topdog_role'),
  /**
   * The built dashboard served at `/`, or `off` for none. Default: the one `pnpm build` puts
   * beside the gateway's bundle (this resolves against dist/main.js, the file the gateway runs as).
   */
  DASHBOARD_DIR: z
    .string()
    .trim()
    .min(1)
    .default(() => fileURLToPath(new URL('./dashboard/', import.meta.url)))
    .transform((dir) => (dir === 'off' ? undefined : dir)),
})
  .refine((c) => c.HTTP_HEADERS_TIMEOUT_MS <= c.HTTP_REQUEST_TIMEOUT_MS, {
    path: ['HTTP_HEADERS_TIMEOUT_MS'],
    message: 'must not be longer than HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)',
  })
  .refine((c) => !c.AUTH_JWKS_URL || (c.AUTH_ISSUER && c.AUTH_AUDIENCE), {
    path: ['AUTH_JWKS_URL'],
    message: 'needs AUTH_ISSUER and AUTH_AUDIENCE as well',
  })
  // Keys fetched in the clear could be swapped on the way: https, except on this machine.
  .refine((c) => !c.AUTH_JWKS_URL || isHttpsOrLoopback(c.AUTH_JWKS_URL), {
    path: ['AUTH_JWKS_URL'],
    message: 'must be https (plain http only for a loopback address)',
  });
export type GatewayConfig = z.infer<typeof GatewayConfig>;

function isHttpsOrLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
