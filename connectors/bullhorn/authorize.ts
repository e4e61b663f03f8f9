import {
  backoffDelay, ConnectorConfigError, DEFAULT_RETRY_POLICY, sleep, TransientError, type CallSite, type ConnectorContext,
} from '../kit/index.ts';

/**
 * The headless authorize step (docs/vendors.md §1.1 step 2): `GET {oauthUrl}/authorize?…&action=Login&
 * username&password` answers with a redirect whose `Location` carries the code. This is the one
 * call that does not go through the kit's client: that client follows redirects, and following
 * this one would lose the code (or call the key's registered redirect URI, which may be anywhere).
 * So it is sent with `redirect: 'manual'` and retried here on network errors, 429 and 5xx, with the
 * same backoff policy. The URL holds the password: errors name the path only.
 */
export async function authorizeCode(ctx: ConnectorContext, oauthUrl: string, signal?: AbortSignal): Promise<string> {
  const { clientId = '', username = '', password = '' } = ctx.credentials;
  const url = new URL(`${oauthUrl.replace(/\/+$/, '')}/authorize`);
  url.search = new URLSearchParams({ client_id: clientId, response_type: 'code', action: 'Login', username, password }).toString();
  const policy = { ...DEFAULT_RETRY_POLICY, ...ctx.http?.retry };
  const timeoutMs = ctx.http?.timeoutMs ?? 30_000;
  const random = ctx.http?.random ?? Math.random;
  const site = (status: number | null, code?: string): CallSite => ({
    systemId: ctx.systemId, method: 'GET', path: url.pathname, status, ...(code === undefined ? {} : { code }),
  });

  for (let attempt = 0; ; attempt += 1) {
    let response: Response;
    try {
      const deadline = AbortSignal.timeout(timeoutMs);
      response = await fetch(url, { redirect: 'manual', signal: signal === undefined ? deadline : AbortSignal.any([deadline, signal]) });
      // Only the status and Location matter; the body (an HTML page) is never read.
      await response.body?.cancel();
    } catch (err: unknown) {
      if (signal?.aborted === true) throw err;
      if (attempt >= policy.maxRetries) throw new TransientError(`no answer from authorize after ${attempt + 1} attempts`, site(null, networkCode(err)));
      await sleep(backoffDelay(attempt, policy, random), signal);
      continue;
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      const code = new URL(location, url).searchParams.get('code');
      if (code === null || code === '') throw new ConnectorConfigError('authorize redirected without a code', site(response.status), 'bad_credentials');
      return code;
    }
    if (response.status === 429 || response.status >= 500) {
      if (attempt >= policy.maxRetries) throw new TransientError(`authorize answered ${response.status} after ${attempt + 1} attempts`, site(response.status));
      // Bullhorn sends no Retry-After; it documents "wait 1 s and retry" for 429.
      await sleep(response.status === 429 ? Math.max(1_000, backoffDelay(attempt, policy, random)) : backoffDelay(attempt, policy, random), signal);
      continue;
    }
    // A 200 is the login page shown again: the username or password was refused. A 4xx is an
    // unknown client id. Neither improves by retrying.
    const message = response.status === 200 ? 'username or password refused at authorize' : 'authorize refused the client id';
    throw new ConnectorConfigError(message, site(response.status), 'bad_credentials');
  }
}

function networkCode(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'ETIMEDOUT';
  const cause = err instanceof Error ? (err as Error & { cause?: unknown }).cause : undefined;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') return cause.code;
  return 'ERR_NETWORK';
}
