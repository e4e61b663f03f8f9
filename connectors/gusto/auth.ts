import { createHash } from 'node:crypto';
import { ConnectorConfigError, singleFlight, type ConnectorContext, type HttpClient } from '../kit/index.ts';
import { TokenResponse } from './schemas.ts';

/** One state key, written in one unit of work: the refresh token never lands without its access token. */
const TOKENS_KEY = 'oauth.tokens';
/** Refresh a little before Gusto would refuse the token, so a long page does not start with a dead one. */
const EXPIRY_MARGIN_MS = 60_000;
const DEFAULT_TTL_S = 7_200;

interface StoredTokens {
  /** sha256 of the configured refresh token this chain of rotations started from. */
  readonly origin: string;
  readonly refreshToken: string;
  readonly accessToken: string;
  readonly expiresAtMs: number;
}

export interface TokenKeeper {
  /** A usable access token: from memory, from the hub state (another process refreshed), or a refresh. */
  accessToken(): Promise<string>;
  /** After a 401: adopt a newer token another process stored, else refresh. */
  renew(): Promise<void>;
}

/**
 * OAuth with rotating refresh tokens. Each refresh returns a new pair; Gusto revokes the previous
 * pair on the first use of the new access token. So the new pair is written to `ctx.state` (the
 * hub keeps it in SQLite) before the access token is used: a crash between the two leaves a
 * refresh token that still works, never only a burnt one. Concurrent refreshes share one call.
 *
 * The configured `refreshToken` starts a chain; the state holds its newest link. When ops set a
 * new configured token (the integration was authorised again), the chain restarts from it.
 */
export function createTokenKeeper(ctx: ConnectorContext, http: () => HttpClient): TokenKeeper {
  const now = ctx.now ?? Date.now;
  const configured = ctx.credentials['refreshToken'] ?? '';
  const origin = createHash('sha256').update(configured).digest('hex');
  let memory: StoredTokens | null = null;

  const fresh = (tokens: StoredTokens | null): tokens is StoredTokens => tokens !== null && tokens.expiresAtMs - EXPIRY_MARGIN_MS > now();

  async function stored(): Promise<StoredTokens | null> {
    const raw = await ctx.state.get(TOKENS_KEY);
    if (raw === null || raw === '') return null;
    try {
      const parsed = JSON.parse(raw) as Partial<StoredTokens>;
      if (parsed.origin !== origin || typeof parsed.refreshToken !== 'string' || typeof parsed.accessToken !== 'string' || typeof parsed.expiresAtMs !== 'number') return null;
      return parsed as StoredTokens;
    } catch {
      return null;
    }
  }

  async function exchange(refreshToken: string): Promise<StoredTokens> {
    const response = await http().request({
      method: 'POST',
      path: '/oauth/token',
      auth: false,
      // Gusto revokes the old pair only when the new access token is first used, so asking again
      // after a lost answer is safe: the old refresh token still works.
      idempotent: true,
      // client_secret travels in the body: Gusto refuses it in the URL.
      body: { client_id: ctx.credentials['clientId'], client_secret: ctx.credentials['clientSecret'], grant_type: 'refresh_token', refresh_token: refreshToken },
    });
    const parsed = TokenResponse.parse(response.data);
    return { origin, refreshToken: parsed.refresh_token, accessToken: parsed.access_token, expiresAtMs: now() + (parsed.expires_in ?? DEFAULT_TTL_S) * 1000 };
  }

  const refresh = singleFlight(async (): Promise<StoredTokens> => {
    const latest = (await stored())?.refreshToken;
    const candidates = [...new Set([latest, configured].filter((token): token is string => token !== undefined && token !== ''))];
    let refused: ConnectorConfigError | null = null;
    for (const candidate of candidates) {
      let tokens: StoredTokens;
      try {
        tokens = await exchange(candidate);
      } catch (err: unknown) {
        // invalid_grant (400) on a stored token: it may be stale; the configured one may still work.
        if (err instanceof ConnectorConfigError && err.reason === 'rejected') {
          refused = err;
          continue;
        }
        throw err;
      }
      await ctx.state.set(TOKENS_KEY, JSON.stringify(tokens));
      memory = tokens;
      ctx.logger.info({ systemId: ctx.systemId }, 'gusto access token refreshed');
      return tokens;
    }
    throw new ConnectorConfigError(
      'Gusto refused the refresh token: authorise the integration again and set the new refresh token',
      { systemId: ctx.systemId, method: 'POST', path: '/oauth/token', status: refused?.status ?? null, ...(refused?.vendorMessage === undefined ? {} : { vendorMessage: refused.vendorMessage }) },
      'bad_credentials',
    );
  });

  return {
    async accessToken() {
      if (fresh(memory)) return memory.accessToken;
      const shared = await stored();
      if (fresh(shared)) {
        memory = shared;
        return shared.accessToken;
      }
      return (await refresh()).accessToken;
    },
    async renew() {
      const shared = await stored();
      if (fresh(shared) && shared.accessToken !== memory?.accessToken) {
        memory = shared;
        return;
      }
      await refresh();
    },
  };
}
