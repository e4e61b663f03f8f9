import { z } from 'zod';
import {
  ConnectorConfigError, singleFlight, TransientError, type ConnectorContext, type HttpClient,
} from '../kit/index.ts';
import { authorizeCode } from './authorize.ts';

/**
 * Bullhorn's session (docs/vendors.md §1.1): loginInfo → authorize (headless) → token → REST login,
 * giving a `BhRestToken` and the `restUrl` every later call goes to.
 *
 * Refresh tokens are single-use: each refresh returns a new pair and burns the old token. The new
 * refresh token is written to `ctx.state` (the hub keeps it in SQLite) before the new access token
 * is used, so a crash between the two leaves the token that still works, not only a burnt one.
 *
 * After a 401, in order of cost: the current access token (it lives 10 minutes; a session that
 * timed out idle can be re-opened with it), then the stored refresh token, then a full login with
 * the password. A refresh that fails for any reason falls back to the password: the answer may have
 * been lost after Bullhorn spent the token.
 */

const REFRESH_TOKEN_KEY = 'auth.refreshToken';
/** An access token this close to its end is not worth a login attempt. */
const ACCESS_TOKEN_MARGIN_MS = 30_000;
/** Whole password logins tried in one go when the network or Bullhorn fails (not when credentials are refused). */
const PASSWORD_LOGIN_ATTEMPTS = 3;

const LoginInfo = z.looseObject({ oauthUrl: z.string().min(1), restUrl: z.string().min(1) });
const Tokens = z.looseObject({ access_token: z.string().min(1), refresh_token: z.string().min(1).optional(), expires_in: z.number().positive().optional() });
const RestLogin = z.looseObject({ BhRestToken: z.string().min(1), restUrl: z.string().min(1) });

export interface RestSession {
  /** `https://rest{N}.bullhornstaffing.com/rest-services/{corpToken}/` */
  readonly restUrl: string;
  readonly token: string;
}

interface Discovery {
  readonly oauthUrl: string;
  /** The `rest-services` base of the user's data center, where `login` lives. */
  readonly restServicesUrl: string;
}

export class BullhornSession {
  private session: RestSession | null = null;
  private access: { readonly value: string; readonly expiresAt: number } | null = null;
  /** The newest refresh token this process holds (also in `ctx.state`). */
  private refreshToken: string | null = null;
  private discovery: Discovery | null = null;
  private readonly now: () => number;
  /** Concurrent callers (the first requests, a wave of 401s) share one login. */
  private readonly establishOnce = singleFlight(() => this.establish());

  constructor(
    private readonly ctx: ConnectorContext,
    /** The kit client; every call made here passes `auth: false`. */
    private readonly http: HttpClient,
  ) {
    this.now = ctx.now ?? Date.now;
  }

  /** The live session, logging in first when there is none. */
  async current(): Promise<RestSession> {
    return this.session ?? (await this.establishOnce());
  }

  /** After Bullhorn refused the session (401, 412): drop it and get a new one. */
  async renew(): Promise<void> {
    this.session = null;
    await this.establishOnce();
  }

  private async establish(): Promise<RestSession> {
    const discovery = await this.discover();
    if (this.access !== null && this.access.expiresAt - this.now() > ACCESS_TOKEN_MARGIN_MS) {
      const reopened = await this.restLogin(discovery, this.access.value);
      if (reopened !== null) return this.use(reopened);
    }
    const stored = this.refreshToken ?? (await this.ctx.state.get(REFRESH_TOKEN_KEY));
    if (stored !== null && stored !== '') {
      const access = await this.refresh(discovery, stored);
      if (access !== null) {
        const session = await this.restLogin(discovery, access);
        if (session !== null) return this.use(session);
      }
    }
    const access = await this.passwordLogin(discovery);
    const session = await this.restLogin(discovery, access);
    if (session === null) {
      throw ConnectorConfigError.forSystem(this.ctx.systemId, 'REST login refused an access token issued a moment ago', 'bad_credentials');
    }
    return this.use(session);
  }

  private use(session: RestSession): RestSession {
    this.session = session;
    return session;
  }

  /** Data-center discovery, once per instance (the kit client follows a 307 to the right data center). */
  private async discover(): Promise<Discovery> {
    if (this.discovery !== null) return this.discovery;
    const url = this.ctx.credentials['loginUrl'] ?? `${this.ctx.baseUrl.replace(/\/+$/, '')}/rest-services/loginInfo`;
    const response = await this.http.get(url, { username: this.ctx.credentials['username'] }, { auth: false });
    const info = LoginInfo.safeParse(response.data);
    if (!info.success) throw ConnectorConfigError.forSystem(this.ctx.systemId, 'loginInfo did not name oauthUrl and restUrl', 'misconfigured');
    this.discovery = { oauthUrl: info.data.oauthUrl.replace(/\/+$/, ''), restServicesUrl: info.data.restUrl.replace(/\/+$/, '') };
    return this.discovery;
  }

  /**
   * authorize → token with the password; returns the access token (the refresh token is stored
   * first). The code exchange is a POST the client does not resend, but a code is single-use and
   * each authorize issues a new one, so after a lost answer or a 5xx the whole login runs again.
   */
  private async passwordLogin(discovery: Discovery): Promise<string> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.exchangeCode(discovery, await authorizeCode(this.ctx, discovery.oauthUrl));
      } catch (err: unknown) {
        if (!(err instanceof TransientError) || attempt >= PASSWORD_LOGIN_ATTEMPTS) throw err;
        this.ctx.logger.warn({ systemId: this.ctx.systemId, err, attempt }, 'bullhorn: login failed; trying again');
      }
    }
  }

  private async exchangeCode(discovery: Discovery, code: string): Promise<string> {
    const response = await this.http.request({
      method: 'POST',
      path: `${discovery.oauthUrl}/token`,
      // Bullhorn takes the token parameters in the query string (its documented form).
      query: { grant_type: 'authorization_code', code, client_id: this.ctx.credentials['clientId'], client_secret: this.ctx.credentials['clientSecret'] },
      auth: false,
      // 400: the code expired or was spent — a new login gets another. 401 (client refused) stays a config error.
      accept: [400],
    });
    const tokens = Tokens.safeParse(response.data);
    if (response.status !== 200 || !tokens.success) {
      throw new TransientError('authorization code refused', { systemId: this.ctx.systemId, method: 'POST', path: '/oauth/token', status: response.status });
    }
    this.ctx.logger.info({ systemId: this.ctx.systemId }, 'bullhorn: logged in with the API user password');
    return this.keep(tokens.data);
  }

  /** A refresh-token grant; null when it did not work (the caller logs in with the password). */
  private async refresh(discovery: Discovery, refreshToken: string): Promise<string | null> {
    try {
      const response = await this.http.request({
        method: 'POST',
        path: `${discovery.oauthUrl}/token`,
        query: { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: this.ctx.credentials['clientId'], client_secret: this.ctx.credentials['clientSecret'] },
        auth: false,
        // Never retried by the client: a lost answer may mean the token was spent, and a resend would be refused.
        idempotent: false,
        accept: [400, 401],
      });
      const tokens = Tokens.safeParse(response.data);
      if (response.status === 200 && tokens.success) return await this.keep(tokens.data);
      this.ctx.logger.warn({ systemId: this.ctx.systemId, status: response.status }, 'bullhorn: refresh token refused; logging in with the password');
    } catch (err: unknown) {
      if (!(err instanceof TransientError)) throw err;
      this.ctx.logger.warn({ systemId: this.ctx.systemId, err }, 'bullhorn: refresh failed; logging in with the password');
    }
    this.refreshToken = null;
    return null;
  }

  /** Keeps a token pair: the refresh token is persisted before the access token is handed out. */
  private async keep(tokens: z.infer<typeof Tokens>): Promise<string> {
    if (tokens.refresh_token !== undefined) {
      this.refreshToken = tokens.refresh_token;
      await this.ctx.state.set(REFRESH_TOKEN_KEY, tokens.refresh_token);
    }
    this.access = { value: tokens.access_token, expiresAt: this.now() + (tokens.expires_in ?? 600) * 1000 };
    return tokens.access_token;
  }

  /** REST login; null when the access token is refused (expired, or ended by Bullhorn). */
  private async restLogin(discovery: Discovery, accessToken: string): Promise<RestSession | null> {
    const response = await this.http.get(`${discovery.restServicesUrl}/login`, { version: '*', access_token: accessToken }, { auth: false, accept: [401] });
    if (response.status === 401) {
      this.access = null;
      return null;
    }
    const login = RestLogin.safeParse(response.data);
    if (!login.success) throw ConnectorConfigError.forSystem(this.ctx.systemId, 'REST login answered without BhRestToken and restUrl', 'misconfigured');
    return { restUrl: login.data.restUrl, token: login.data.BhRestToken };
  }
}
