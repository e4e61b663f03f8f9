import {
  ConnectorConfigError, httpClientFor, TransientError, type ConnectorContext, type ConnectorManifest, type HttpClient, type HttpResponse,
} from '../kit/index.ts';
import { Budget } from './budget.ts';

export interface GreenhouseClient {
  readonly ctx: ConnectorContext;
  readonly http: HttpClient;
  /** GET with the budget kept: waits when the last answer said the window is spent. */
  get(path: string, query?: Record<string, string | number>, extra?: { readonly accept?: readonly number[] }): Promise<HttpResponse>;
}

export function createGreenhouseClient(ctx: ConnectorContext, manifest: ConnectorManifest): GreenhouseClient {
  const apiKey = ctx.credentials['apiKey'] ?? '';
  if (apiKey === '') throw ConnectorConfigError.forSystem(ctx.systemId, 'Greenhouse API key missing (API_KEY)', 'missing_credentials');
  // §2.1: Basic, the key as user name and an empty password.
  const authorization = `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;
  const budget = new Budget(Date.now);
  const http = httpClientFor(ctx, manifest, {
    auth: {
      beforeRequest: async (req) => {
        await budget.wait();
        req.headers['authorization'] = authorization;
      },
    },
    errorMessage: (body) => (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string' ? body.message : undefined),
  });
  return {
    ctx,
    http,
    async get(path, query, extra) {
      const response = await http.get(path, query, extra?.accept === undefined ? undefined : { accept: extra.accept });
      budget.observe(response.headers);
      return response;
    },
  };
}

export interface NextLink {
  /** Path and query of the next page on the API's own host. */
  readonly next: string;
  /**
   * The list pages the classic way (§2.2: `prev`/`last` beside `next`): every later page then has a
   * Link header, and one without it was damaged on the way, not the last page.
   */
  readonly classic: boolean;
}

/**
 * The `next` target of a Link header; null when there is no next page. No header is the last (or
 * only) page, except on a later page of a classic list, where it means the header was lost: the
 * page is retried rather than the listing silently cut short (a reconciliation would take the
 * missing records for deletes).
 */
export function nextLink(client: GreenhouseClient, header: string | undefined, path: string, laterClassicPage: boolean): NextLink | null {
  if (header === undefined || header.trim() === '') {
    if (laterClassicPage) throw malformed(client, path, 'a later page without its Link header');
    return null;
  }
  const entries = header.split(',').map((part) => /^\s*<([^>]+)>\s*;\s*rel="?([a-z]+)"?\s*$/i.exec(part));
  if (entries.some((e) => e === null)) throw malformed(client, path, 'a Link header that does not parse');
  const rels = new Set(entries.map((e) => e?.[2]?.toLowerCase()));
  const next = entries.find((e) => e?.[2]?.toLowerCase() === 'next')?.[1];
  if (next === undefined) return null;
  let url: URL;
  try {
    url = new URL(next);
  } catch {
    throw malformed(client, path, 'a next link that is not a URL');
  }
  // Follow only links on the API's own host: a Link header never sends our credentials elsewhere.
  if (url.host !== new URL(client.ctx.baseUrl).host) throw malformed(client, path, `a next link to another host (${url.host})`);
  return { next: `${url.pathname}${url.search}`, classic: rels.has('prev') || rels.has('last') };
}

function malformed(client: GreenhouseClient, path: string, what: string): TransientError {
  // A page we cannot continue from: the job retries the page (a proxy's mangled header passes).
  return new TransientError(`Greenhouse answered ${what}`, { systemId: client.ctx.systemId, method: 'GET', path, status: 200 });
}
