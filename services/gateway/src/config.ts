import { BaseConfig, intSetting } from '@topdog/runtime';
import { z } from 'zod';

export const GatewayConfig = BaseConfig.extend({
  PORT: intSetting(3000, 0, 65_535),
  HOST: z.string().min(1).default('127.0.0.1'),
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
  /** Bytes an SSE client may leave unread before it is closed with an `overflow` event. */
  SSE_MAX_BUFFERED_BYTES: intSetting(1024 * 1024, 1024),
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;
