import {
  extractVendorMessage, httpClientFor, type ConnectorContext, type ConnectorManifest, type HttpClient,
} from '../kit/index.ts';
import { BullhornSession } from './session.ts';

/**
 * The kit's HTTP client (retries, rate limit, circuit breaker) pointed at Bullhorn: each request
 * goes to the session's `restUrl` with its `BhRestToken`; a 401 (bad or timed-out token) or 412
 * (no token) renews the session once — concurrent failures share one renewal — and retries.
 */
export interface BullhornClient {
  readonly http: HttpClient;
  readonly session: BullhornSession;
}

export function createBullhornClient(ctx: ConnectorContext, manifest: ConnectorManifest): BullhornClient {
  const holder: { session?: BullhornSession } = {};
  const session = (): BullhornSession => {
    if (holder.session === undefined) throw new Error('bullhorn session used before it was made');
    return holder.session;
  };
  const http = httpClientFor(ctx, manifest, {
    auth: {
      beforeRequest: async (request) => {
        const current = await session().current();
        request.baseUrl = current.restUrl;
        // A header rather than the query parameter: URLs end up in more places than headers do.
        request.headers['BhRestToken'] = current.token;
      },
      onAuthError: () => session().renew(),
      authErrorStatuses: [401, 412],
    },
    errorMessage: bullhornErrorMessage,
  });
  holder.session = new BullhornSession(ctx, http);
  return { http, session: holder.session };
}

/**
 * Bullhorn's error text: `errorMessage`, plus the property problems of a refused write
 * (`errors: [{ propertyName, detailMessage, type }]`), which say what to fix; OAuth errors and
 * anything else fall back to the kit's extractor.
 */
export function bullhornErrorMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('errorMessage' in body) || typeof body.errorMessage !== 'string') {
    return extractVendorMessage(body);
  }
  const parts = [body.errorMessage];
  const errors: unknown = 'errors' in body ? body.errors : undefined;
  if (Array.isArray(errors)) {
    const items: readonly unknown[] = errors;
    for (const item of items.slice(0, 3)) {
      if (typeof item !== 'object' || item === null) continue;
      const property = 'propertyName' in item && typeof item.propertyName === 'string' ? item.propertyName : '?';
      const detail = 'detailMessage' in item && typeof item.detailMessage === 'string' ? item.detailMessage : 'type' in item ? String(item.type) : 'refused';
      parts.push(`${property}: ${detail.slice(0, 120)}`);
    }
  }
  // Control characters would break log lines; the kit keeps vendor texts to 300 characters.
  const flat = parts.join('; ').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}
