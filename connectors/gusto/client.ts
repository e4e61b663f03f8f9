import {
  httpClientFor, singleFlight, type ConnectorContext, type ConnectorManifest, type HttpClient, type HttpRequest,
} from '../kit/index.ts';
import { createTokenKeeper } from './auth.ts';
import { gustoErrorMessage } from './errors.ts';
import { GUSTO_API_VERSION } from './manifest.ts';
import { TokenInfo } from './schemas.ts';

const COMPANY_KEY = 'companyUuid';
/** Gusto's `per` default is 25; 100 is the largest page the API serves. */
export const MAX_PER_PAGE = 100;

export interface ListPage {
  readonly data: unknown;
  readonly page: number;
  /** From `X-Total-Pages`; null when Gusto did not send it. */
  readonly totalPages: number | null;
  readonly total: number | null;
}

/** The HTTP side of the connector: the kit's client with Gusto's auth, version header and errors. */
export interface GustoClient {
  readonly http: HttpClient;
  readonly ctx: ConnectorContext;
  /** The company this authorisation is for: configured, else remembered, else `/v1/token_info`. */
  companyUuid(): Promise<string>;
  /** One page of an offset-paged listing (`page` from 1, `per`). */
  listPage(path: string, page: number, per: number, query?: HttpRequest['query']): Promise<ListPage>;
}

export function createGustoClient(ctx: ConnectorContext, manifest: ConnectorManifest): GustoClient {
  const tokens = createTokenKeeper(ctx, () => http);
  const http: HttpClient = httpClientFor(ctx, manifest, {
    headers: { 'X-Gusto-API-Version': GUSTO_API_VERSION },
    errorMessage: gustoErrorMessage,
    auth: {
      // Calls with the organization token (webhook subscriptions) pass `auth: false` and skip this.
      beforeRequest: async (request) => {
        request.headers['authorization'] = `Bearer ${await tokens.accessToken()}`;
      },
      onAuthError: () => tokens.renew(),
      authErrorStatuses: [401],
    },
  });

  let company: string | null = ctx.credentials['companyUuid'] ?? null;
  const learnCompany = singleFlight(async () => {
    const remembered = await ctx.state.get(COMPANY_KEY);
    if (remembered !== null && remembered !== '') return remembered;
    const info = TokenInfo.parse((await http.get('/v1/token_info')).data);
    await ctx.state.set(COMPANY_KEY, info.resource.uuid);
    return info.resource.uuid;
  });

  return {
    http,
    ctx,
    async companyUuid() {
      company ??= await learnCompany();
      return company;
    },
    async listPage(path, page, per, query = {}) {
      const response = await http.get(path, { ...query, page, per: Math.min(Math.max(1, per), MAX_PER_PAGE) });
      return { data: response.data, page, totalPages: headerNumber(response.headers['x-total-pages']), total: headerNumber(response.headers['x-total-count']) };
    },
  };
}

function headerNumber(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value.trim())) return null;
  return Number(value.trim());
}

/** `/v1/employees/{id}`, with the id escaped: ids come from vendor data and link rows. */
export function pathOf(template: TemplateStringsArray, ...ids: string[]): string {
  return template.reduce((out, part, i) => out + part + (i < ids.length ? encodeURIComponent(ids[i] ?? '') : ''), '');
}
