import { ConnectorConfigError, parseManifest, sleep, type ConnectorContext } from '../kit/index.ts';
import { createGustoClient, pathOf, type GustoClient } from './client.ts';
import { manifest as manifestInput } from './manifest.ts';
import { WebhookSubscription } from './schemas.ts';
import { AWAITING_KEY, LEARNED_TOKEN_KEY, PENDING_TOKEN_KEY } from './webhook.ts';

const SUBSCRIPTION_KEY = 'webhook.subscriptionUuid';

export interface SetupWebhooksOptions {
  /**
   * Gusto subscription types. TimeSheet is left out by default: no mapping reads time sheets in
   * (they only go out), and each event would cost the hub a fetch for nothing.
   * @defaultValue ['Employee', 'Payroll']
   */
  readonly subscriptionTypes?: readonly string[];
  /** How long to wait for Gusto's verification POST to reach the hub. @defaultValue 60_000 */
  readonly timeoutMs?: number;
  /** How often the hub state is checked for it. @defaultValue 250 */
  readonly pollMs?: number;
  /**
   * Where the verification token comes from. Default: the hub state, where the webhook route's
   * handshake (`acceptHandshake`) put it. A test or a tool with its own receiver passes its own.
   */
  readonly receiveToken?: (signal: AbortSignal) => Promise<string>;
}

export interface WebhookSetup {
  readonly subscriptionUuid: string;
  /** Also the HMAC key of every delivery: a secret. Kept in the hub state; put it in the secret store as WEBHOOK_TOKEN too. */
  readonly verificationToken: string;
  readonly status: string;
}

/**
 * Subscribes `url` (the hub's `/webhooks/<system>`) to Gusto's events and completes the handshake:
 *
 * 1. with the organization API token (`apiToken`), find a subscription for this URL or create one
 *    (`POST /v1/webhook_subscriptions`); for an existing one, ask Gusto to send its token again;
 * 2. Gusto POSTs `{"verification_token": …}`, unsigned, to the URL; the webhook route hands it to
 *    the connector's `acceptHandshake`, which keeps it as pending in the hub state;
 * 3. once it is there, `PUT /v1/webhook_subscriptions/{uuid}/verify` with it; Gusto starts
 *    delivering, signed with that token;
 * 4. the token is kept in the hub state, where every instance's `verifyWebhook` picks it up.
 *
 * The route takes an unsigned handshake only while this runs (`AWAITING_KEY`, with a deadline) and
 * only the first one: a later body cannot replace a pending token. A forged handshake that came
 * first cannot plant a token either: Gusto refuses it at step 3, and the pending token is then
 * dropped and requested again. Safe to run again: it reuses the subscription for the URL.
 */
export async function setupWebhooks(ctx: ConnectorContext, url: string, options: SetupWebhooksOptions = {}): Promise<WebhookSetup> {
  const apiToken = ctx.credentials['apiToken'] ?? '';
  if (apiToken === '') throw ConnectorConfigError.forSystem(ctx.systemId, 'setting up webhooks needs the organization API token (API_TOKEN)', 'missing_credentials');
  const client = createGustoClient(ctx, parseManifest(manifestInput));
  const headers = { authorization: `Token ${apiToken}` };
  // The organization token is not the OAuth grant: a 401 here is a bad API token, not a reason to refresh.
  const token = { headers, auth: false } as const;
  const types = [...(options.subscriptionTypes ?? ['Employee', 'Payroll'])];

  const timeoutMs = options.timeoutMs ?? 60_000;
  const now = ctx.now ?? Date.now;
  // Opens the window in which the webhook route takes an unsigned handshake (acceptHandshake),
  // before Gusto is asked for a token: it may POST it before our request returns. The margin
  // covers the create call itself; the wait for the token is bounded by timeoutMs.
  const awaitToken = () => ctx.state.set(AWAITING_KEY, JSON.stringify({ until: now() + timeoutMs + 10_000 }));

  await ctx.state.set(PENDING_TOKEN_KEY, '');
  await awaitToken();
  try {
    const existing = await findSubscription(client, url, token);
    let uuid: string;
    if (existing === null) {
      const created = await client.http.request({ method: 'POST', path: '/v1/webhook_subscriptions', ...token, body: { url, subscription_types: types } });
      uuid = WebhookSubscription.parse(created.data).uuid;
    } else {
      uuid = existing;
      await client.http.request({ method: 'PUT', path: pathOf`/v1/webhook_subscriptions/${uuid}`, ...token, body: { subscription_types: types } });
      await client.http.get(pathOf`/v1/webhook_subscriptions/${uuid}/request_verification_token`, undefined, { ...token, responseType: 'text' });
    }
    await ctx.state.set(SUBSCRIPTION_KEY, uuid);

    for (let attempt = 1; ; attempt++) {
      const received = await (options.receiveToken ?? fromState(ctx, options.pollMs ?? 250))(AbortSignal.timeout(timeoutMs));
      try {
        const verified = await client.http.request({ method: 'PUT', path: pathOf`/v1/webhook_subscriptions/${uuid}/verify`, ...token, body: { verification_token: received } });
        await ctx.state.set(LEARNED_TOKEN_KEY, received);
        ctx.logger.info({ systemId: ctx.systemId, subscription: uuid }, 'gusto webhook subscription verified');
        return { subscriptionUuid: uuid, verificationToken: received, status: WebhookSubscription.parse(verified.data).status ?? 'verified' };
      } catch (err: unknown) {
        // Not Gusto's token (a forged handshake, or an old one): drop it and ask Gusto to send it again.
        if (!(err instanceof ConnectorConfigError) || err.status !== 422 || attempt >= 3 || options.receiveToken !== undefined) throw err;
        await ctx.state.set(PENDING_TOKEN_KEY, '');
        await awaitToken();
        await client.http.get(pathOf`/v1/webhook_subscriptions/${uuid}/request_verification_token`, undefined, { ...token, responseType: 'text' });
      }
    }
  } finally {
    // Verified or given up: no subscription awaits a token any more, and nothing stays pending.
    await ctx.state.set(AWAITING_KEY, '');
    await ctx.state.set(PENDING_TOKEN_KEY, '');
  }
}

async function findSubscription(client: GustoClient, url: string, token: { readonly headers: Record<string, string>; readonly auth: false }): Promise<string | null> {
  const response = await client.http.get('/v1/webhook_subscriptions', undefined, token);
  const list = Array.isArray(response.data) ? response.data : [];
  for (const item of list) {
    const parsed = WebhookSubscription.safeParse(item);
    if (parsed.success && (item as Record<string, unknown>)['url'] === url) return parsed.data.uuid;
  }
  return null;
}

/** Waits until the handshake has stored a pending token in the hub state. */
function fromState(ctx: ConnectorContext, pollMs: number): (signal: AbortSignal) => Promise<string> {
  return async (signal) => {
    for (;;) {
      const token = await ctx.state.get(PENDING_TOKEN_KEY);
      if (token !== null && token !== '') return token;
      if (signal.aborted) {
        throw ConnectorConfigError.forSystem(ctx.systemId, 'Gusto\'s verification token did not reach the hub: is the URL reachable and does the webhook route accept the handshake?', 'misconfigured');
      }
      await sleep(pollMs);
    }
  };
}
