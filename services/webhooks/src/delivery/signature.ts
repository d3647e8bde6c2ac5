import { createHmac } from 'node:crypto';

/** `X-TopDog-Signature`'s value: `sha256=` and the hex HMAC-SHA256 of the raw body with the webhook's secret. */
export const signBody = (secret: string, body: string | Buffer): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
