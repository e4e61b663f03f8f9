import type { ConnectorContext } from './context.ts';
import { ConnectorConfigError } from './errors.ts';
import { createHttpClient, type AuthHooks, type HttpClient } from './http.ts';
import type { ClientTls } from './http-send.ts';
import type { ConnectorManifest } from './manifest.ts';
import type { VerifyResult } from './types.ts';
import type { WebhookHeaders } from './webhooks/common.ts';
import { WEBHOOK_SCHEMES } from './webhooks/schemes.ts';
import { standardWebhookKey } from './webhooks/standard-webhooks.ts';

/** The HTTP client a connector instance uses, set up from its manifest and the hub's context. */
export function httpClientFor(
  ctx: ConnectorContext,
  manifest: ConnectorManifest,
  extras: {
    readonly auth?: AuthHooks;
    readonly headers?: Readonly<Record<string, string>>;
    readonly errorMessage?: (body: unknown) => string | undefined;
    /** Mutual TLS (ADP): the client certificate presented on every call. */
    readonly tls?: ClientTls;
  } = {},
): HttpClient {
  return createHttpClient({
    systemId: ctx.systemId,
    baseUrl: ctx.baseUrl,
    rateLimit: manifest.rateLimit,
    logger: ctx.logger,
    ...(extras.auth === undefined ? {} : { auth: extras.auth }),
    ...(extras.headers === undefined ? {} : { headers: extras.headers }),
    ...(extras.errorMessage === undefined ? {} : { errorMessage: extras.errorMessage }),
    ...(extras.tls === undefined ? {} : { tls: extras.tls }),
    ...(ctx.http === undefined ? {} : { options: ctx.http }),
  });
}

export type WebhookVerifier = (rawBody: Buffer, headers: WebhookHeaders) => VerifyResult;

/**
 * The `verifyWebhook` of a connector whose manifest declares a signing scheme: secrets come from
 * the credential fields the manifest names (current, then previous during a rotation). Secrets
 * missing or unusable fail here, at instance creation, not on the first delivery.
 */
export function webhookVerifierFor(manifest: ConnectorManifest, ctx: ConnectorContext): WebhookVerifier {
  const webhook = manifest.webhook;
  if (webhook === undefined || webhook.scheme === 'none') {
    throw ConnectorConfigError.forSystem(ctx.systemId, `${manifest.id} declares no webhook signature scheme`, 'misconfigured');
  }
  const secrets = webhook.secretFields.map((key) => ctx.credentials[key] ?? '').filter((secret) => secret !== '');
  if (secrets.length === 0) {
    throw ConnectorConfigError.forSystem(ctx.systemId, `webhook secret missing (${webhook.secretFields.join(', ')})`, 'missing_credentials');
  }
  if (webhook.scheme === 'standard-webhooks' && secrets.some((secret) => standardWebhookKey(secret) === null)) {
    throw ConnectorConfigError.forSystem(ctx.systemId, 'webhook secret is not whsec_ followed by base64', 'misconfigured');
  }
  const scheme = WEBHOOK_SCHEMES[webhook.scheme];
  const options = { secrets, ...(ctx.now === undefined ? {} : { now: ctx.now }) };
  return (rawBody, headers) => scheme.verify(rawBody, headers, options);
}
