import { BaseConfig, boolSetting, intSetting } from '@topdog/runtime';
import { type z } from 'zod';

export const WebhooksConfig = BaseConfig.extend({
  /**
   * `true`: webhooks may go to loopback, private, link-local and other non-public addresses
   * (a deployment whose receivers are on its own network; the tests). Anything else: public only.
   */
  WEBHOOK_ALLOW_PRIVATE: boolSetting(false),
  /** How long an event is retried after its first attempt before it is given up (a day). */
  WEBHOOK_RETRY_FOR_MS: intSetting(86_400_000, 0),
  /** One attempt's limit: connecting, sending and the receiver's answer. */
  WEBHOOK_TIMEOUT_MS: intSetting(10_000, 100),
  /** The back-off between attempts: from this up to WEBHOOK_RETRY_MAX_MS, doubling. */
  WEBHOOK_RETRY_BASE_MS: intSetting(1_000, 1),
  WEBHOOK_RETRY_MAX_MS: intSetting(600_000, 1),
  /** How long a commit taken by an instance that died waits before it is handed out again. */
  WEBHOOK_ACK_WAIT_MS: intSetting(30_000, 1_000),
  /** How often registrations made through other instances are picked up. */
  WEBHOOK_RECONCILE_MS: intSetting(5_000, 100),
  WEBHOOKS_REPLICAS: intSetting(1, 1, 5),
  /** Webhooks one project may have (each is a consumer on the event stream and a loop here). */
  WEBHOOK_MAX_PER_PROJECT: intSetting(50, 1, 10_000),
});
export type WebhooksConfig = z.infer<typeof WebhooksConfig>;
