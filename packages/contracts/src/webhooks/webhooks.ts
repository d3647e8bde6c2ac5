import * as z from 'zod';
import { Actor } from '../envelope';
import { ProjectScope } from '../identity';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES } from './webhook-event-types';

/** A webhook's id: lowercase letters and digits (also a JetStream consumer name's tail). */
export const WebhookId = z.string().regex(/^[a-z0-9]{1,64}$/, 'must be 1-64 lowercase letters or digits');

/**
 * Why a webhook URL is refused on its face (before any DNS): not http(s), credentials in it,
 * no host, too long. Undefined: acceptable so far (the webhooks service still checks where its
 * host resolves).
 */
export function webhookUrlProblem(raw: string): string | undefined {
  if (raw.length > 2000) return 'must be at most 2000 characters';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials (user:password@)';
  if (url.hostname === '') return 'must name a host';
  return undefined;
}

const WebhookUrl = z.string().superRefine((value, ctx) => {
  const problem = webhookUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const WebhookEventType = z
  .string()
  .max(100)
  .superRefine((value, ctx) => {
    if (!isWebhookEventType(value)) ctx.addIssue({ code: 'custom', message: `unknown event type "${value}"; one of ${WEBHOOK_EVENT_TYPES.join(', ')}` });
  });

const WebhookEvents = z
  .array(WebhookEventType)
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length)
  .refine((events) => new Set(events).size === events.length, 'must not repeat an event type');

/** `POST /api/webhooks`: a URL, the event types it receives, and the project whose workflows it follows. */
export const CreateWebhookRequest = z.strictObject({
  url: WebhookUrl,
  events: WebhookEvents,
  project_id: z.string().min(1).max(200),
});
export type CreateWebhookRequest = z.infer<typeof CreateWebhookRequest>;

/** A webhook as listed: never its secret. */
export const WebhookBody = z.object({
  id: WebhookId,
  url: z.string(),
  events: z.array(z.string()),
  project_id: z.string(),
  created_at: z.string(),
});
export type WebhookBody = z.infer<typeof WebhookBody>;

/** The answer to a create: the only time the secret is shown. */
export const CreatedWebhookResponse = WebhookBody.extend({ secret: z.string() });
export type CreatedWebhookResponse = z.infer<typeof CreatedWebhookResponse>;

export const WebhookListResponse = z.object({ webhooks: z.array(WebhookBody) });
export type WebhookListResponse = z.infer<typeof WebhookListResponse>;

export const WebhookIdParams = z.strictObject({ id: WebhookId });

/** One delivery attempt, as the API shows it. `event_id` is the event's global position. */
export const WebhookDeliveryBody = z.object({
  event_id: z.number().int(),
  attempt: z.number().int().positive(),
  status_code: z.number().int().nullable(),
  error: z.string().nullable(),
  at: z.string(),
});
export type WebhookDeliveryBody = z.infer<typeof WebhookDeliveryBody>;

export const WebhookDeliveriesResponse = z.object({ deliveries: z.array(WebhookDeliveryBody) });
export type WebhookDeliveriesResponse = z.infer<typeof WebhookDeliveriesResponse>;

// ---- Over NATS: the gateway asks, the webhooks service answers (it alone holds the registrations). ----

/** A webhook as the service answers it (camelCase, no secret). */
export const Webhook = z.object({
  id: WebhookId,
  url: z.string(),
  events: z.array(z.string()),
  projectId: z.string(),
  createdAt: z.string(),
});
export type Webhook = z.infer<typeof Webhook>;

export const RegisterWebhook = z.object({
  /** The caller's projects: the webhook's project must be one of them. */
  projects: ProjectScope,
  createdBy: Actor,
  url: WebhookUrl,
  events: WebhookEvents,
  projectId: z.string().min(1).max(200),
});
export const RegisteredWebhook = Webhook.extend({ secret: z.string() });

export const DeleteWebhook = z.object({ projects: ProjectScope, id: WebhookId });
export const DeletedWebhook = z.object({ id: WebhookId });

export const ListWebhooks = z.object({ projects: ProjectScope });
export const WebhookList = z.object({ webhooks: z.array(Webhook) });

export const GetWebhookDeliveries = z.object({ projects: ProjectScope, id: WebhookId });
/** One attempt, as stored in the webhook's delivery log. */
export const WebhookDelivery = z.object({
  eventId: z.number().int(),
  attempt: z.number().int().positive(),
  statusCode: z.number().int().nullable(),
  error: z.string().nullable(),
  at: z.string(),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;
export const WebhookDeliveries = z.object({ deliveries: z.array(WebhookDelivery) });

/**
 * A webhook as stored (in the `<prefix>_webhooks` KV bucket under `hook.<id>`). The secret is
 * kept in clear: it signs every delivery. Only the webhooks service reads the bucket.
 */
export const StoredWebhook = Webhook.extend({ secret: z.string(), createdBy: z.string() });
export type StoredWebhook = z.infer<typeof StoredWebhook>;

/** The headers of a delivery. */
export const WEBHOOK_SIGNATURE_HEADER = 'X-TopDog-Signature';
export const WEBHOOK_EVENT_ID_HEADER = 'X-TopDog-Event-Id';
