import { newId } from '../lib/ids.ts';
import { PORTAL_EVENT_TYPES } from '../model/index.ts';
import type { Repos, SubscriptionRow } from '../store/index.ts';
import { newWebhookSecret } from './sign.ts';
import { refuseWebhookUrl } from './webhook-url.ts';

export class SubscriptionError extends Error {}

/**
 * Registers a webhook subscriber; returns the row and its secret (shown once: only the sealed form
 * is stored). Refuses URLs outside the SSRF rule and event types that do not exist.
 */
export async function createSubscription(
  tx: Repos,
  input: { url: string; eventTypes: readonly string[]; clientId: string | null; description: string | null; secret?: string },
  actor: string,
  now: string,
): Promise<{ row: SubscriptionRow; secret: string }> {
  const refused = refuseWebhookUrl(input.url);
  if (refused !== null) throw new SubscriptionError(`url: ${refused}`);
  const known = new Set<string>([...PORTAL_EVENT_TYPES, '*']);
  const unknown = input.eventTypes.filter((t) => !known.has(t));
  if (input.eventTypes.length === 0 || unknown.length > 0) throw new SubscriptionError(`eventTypes: ${unknown.length > 0 ? `unknown ${unknown.join(', ')}` : 'name at least one'} (known: ${[...known].join(', ')})`);
  if (input.clientId !== null) {
    const client = await tx.canonical.get('client', input.clientId);
    if (!client || client.deletedAt !== null) throw new SubscriptionError(`clientId: client ${input.clientId} not found`);
  }
  const secret = input.secret ?? newWebhookSecret();
  if (!/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/.test(secret)) throw new SubscriptionError('secret: expected whsec_ and at least 24 bytes of base64');
  const row: SubscriptionRow = {
    id: newId(), url: input.url, eventTypes: [...new Set(input.eventTypes)], clientId: input.clientId, description: input.description, status: 'active', createdAt: now, createdBy: actor,
  };
  await tx.notifications.insertSubscription(row, secret);
  return { row, secret };
}
