import { z } from 'zod';
import {
  ConnectorConfigError, httpClientFor, singleFlight, type ConnectorContext, type ConnectorManifest, type HttpClient,
} from '../kit/index.ts';
import { ADP_TOKEN_URL } from './manifest.ts';

const TokenResponse = z.looseObject({ access_token: z.string().min(1), expires_in: z.number().positive().optional() });
/** A token is renewed this long before ADP says it expires (clock skew, a request in flight). */
const EARLY_RENEWAL_MS = 60_000;

export interface AdpClient {
  readonly ctx: ConnectorContext;
  readonly http: HttpClient;
}

/** ADP's `confirmMessage` error text (§4.2), for error messages. */
function confirmText(body: unknown): string | undefined {
  const parsed = z
    .looseObject({ confirmMessage: z.looseObject({ resourceMessages: z.array(z.looseObject({ processMessages: z.array(z.looseObject({ userMessage: z.looseObject({ messageTxt: z.string() }) })) })) }) })
    .safeParse(body);
  if (parsed.success) return parsed.data.confirmMessage.resourceMessages[0]?.processMessages[0]?.userMessage.messageTxt;
  const oauth = z.looseObject({ error: z.string(), error_description: z.string().optional() }).safeParse(body);
  return oauth.success ? (oauth.data.error_description ?? oauth.data.error) : undefined;
}

/**
 * Every call presents the client certificate (the kit's `tls`); the token call too. A bearer token
 * is fetched on first use and renewed before it expires; a 401 on an API call (a token that
 * expired or was revoked mid-run) fetches a new one once and retries. A refused client id or
 * secret, or a refused certificate, is a `ConnectorConfigError` for ops.
 */
export function createAdpClient(ctx: ConnectorContext, manifest: ConnectorManifest): AdpClient {
  const cred = (key: string) => ctx.credentials[key] ?? '';
  for (const key of ['clientId', 'clientSecret', 'certificate', 'privateKey']) {
    if (cred(key) === '') throw ConnectorConfigError.forSystem(ctx.systemId, `ADP ${key} missing`, 'missing_credentials');
  }
  const tokenUrl = cred('tokenUrl') === '' ? ADP_TOKEN_URL : cred('tokenUrl');
  const now = ctx.now ?? Date.now;
  let token: { value: string; renewAt: number } | null = null;

  const http = httpClientFor(ctx, manifest, {
    tls: { cert: cred('certificate'), key: cred('privateKey'), ...(cred('caCertificate') === '' ? {} : { ca: cred('caCertificate') }) },
    headers: { accept: 'application/json' },
    errorMessage: confirmText,
    auth: {
      beforeRequest: async (req) => {
        if (token === null || now() >= token.renewAt) await fetchToken();
        req.headers['authorization'] = `Bearer ${token?.value ?? ''}`;
      },
      onAuthError: async () => {
        token = null;
        await fetchToken();
      },
    },
  });

  // Concurrent first requests share one token call.
  const fetchToken = singleFlight(async () => {
    // A client-credentials grant changes nothing at ADP: safe to retry like a read.
    const response = await http.request({
      method: 'POST', path: tokenUrl, auth: false, idempotent: true,
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: cred('clientId'), client_secret: cred('clientSecret') }),
    });
    const parsed = TokenResponse.parse(response.data);
    token = { value: parsed.access_token, renewAt: now() + (parsed.expires_in ?? 3600) * 1000 - EARLY_RENEWAL_MS };
    return token.value;
  });

  return { ctx, http };
}
