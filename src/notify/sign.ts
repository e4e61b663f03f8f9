import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp`
 * (seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`), signed by
 * the `standardwebhooks` package itself, so subscribers verify with any of its ports.
 */

/** A new subscriber secret: `whsec_` and 24 random bytes in base64 (the spec's form). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export function signedHeaders(secret: string, msgId: string, at: Date, body: string): Record<string, string> {
  const signature = new Webhook(secret).sign(msgId, at, body);
  return {
    'content-type': 'application/json',
    'webhook-id': msgId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}
