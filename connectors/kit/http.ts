import { backoffDelay, DEFAULT_RETRY_POLICY, parseRateLimitReset, parseRetryAfter, type RetryPolicy } from './backoff.ts';
import { DEFAULT_CIRCUIT_BREAKER, type CircuitBreakerOptions } from './circuit-breaker.ts';
import {
  CircuitOpenError, ConnectorConfigError, ConnectorError, NotFoundError, RateLimitedError, TransientError, VersionConflictError,
  type CallSite,
} from './errors.ts';
import { processGuards, type GuardRegistry, type SystemGuards } from './guards.ts';
import { createAxios, send, tlsRefusal, type ClientTls, type HttpMethod, type SendOutcome } from './http-send.ts';
import type { ConnectorLogger } from './logger.ts';
import { systemClock, type Clock, type Permit, type RateLimit } from './rate-limiter.ts';
import { extractVendorMessage } from './vendor-message.ts';

export type { HttpMethod } from './http-send.ts';

/** Overrides the hub (from config) or a test passes through `ConnectorContext.http`. */
export interface HttpOptions {
  /** Total deadline of one attempt. @defaultValue 30_000 */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly circuitBreaker?: Partial<CircuitBreakerOptions>;
  /** Replaces the manifest's documented limit (an emulator configured with a small budget). */
  readonly rateLimit?: RateLimit;
  /** Where per-system limiters and breakers live. @defaultValue the process-wide registry */
  readonly guards?: GuardRegistry;
  /** @defaultValue the system clock */
  readonly clock?: Clock;
  /** Jitter source in [0, 1). @defaultValue Math.random */
  readonly random?: () => number;
  /** Largest response body accepted. @defaultValue 64 MiB */
  readonly maxResponseBytes?: number;
}

/** The rate-limit facts from the manifest the client acts on. */
export interface RateLimitSpec extends RateLimit {
  /** @defaultValue 'retry-after' */
  readonly retryAfterHeader?: string | undefined;
  /** A reset header such as `X-RateLimit-Reset`, read on a 429 when present. */
  readonly resetHeader?: string | undefined;
}

/** The request as the auth hook sees it, before the URL is built: it may change any of it. */
export interface OutgoingRequest {
  readonly method: HttpMethod;
  /** Bullhorn's REST URL is only known after login: the hook may point the request at it. */
  baseUrl: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly query: Record<string, string>;
}

export interface AuthHooks {
  /** Adds credentials to every attempt (a retried attempt gets the token current at that time). */
  beforeRequest?(request: OutgoingRequest): void | Promise<void>;
  /**
   * Refresh or log in again after an auth failure. Called at most once per failing request, and
   * only once for a wave of concurrent failures (a single-use refresh token must not be spent
   * twice). Throw a `ConnectorConfigError` when the credentials themselves are refused.
   */
  onAuthError?(failure: { readonly status: number; readonly vendorMessage?: string }): Promise<void>;
  /** Statuses that mean "session invalid". @defaultValue [401] */
  readonly authErrorStatuses?: readonly number[];
}

export interface HttpClientConfig {
  readonly systemId: string;
  readonly baseUrl: string;
  readonly rateLimit: RateLimitSpec;
  readonly logger: ConnectorLogger;
  readonly auth?: AuthHooks;
  /** Sent on every request (API version headers, Accept). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Reads the vendor's error text from an error body. @defaultValue {@link extractVendorMessage} */
  readonly errorMessage?: (body: unknown) => string | undefined;
  readonly options?: HttpOptions;
  /** Mutual TLS: the client certificate sent on every call (ADP). @defaultValue none */
  readonly tls?: ClientTls;
}

export type QueryValue = string | number | boolean | null | undefined;

export interface HttpRequest {
  /** @defaultValue 'GET' */
  readonly method?: HttpMethod;
  /** Relative to the base URL (a leading slash does not drop the base's path), or an absolute URL (a `Link: rel="next"`). */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** JSON-serialisable value, `URLSearchParams` (form) or a string/Buffer sent as is. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Whether sending twice is harmless. Decides retries after a timeout, reset or 5xx, where the
   * write may have landed. Set true for a write that carries a vendor-honoured idempotency key.
   * @defaultValue true for GET, HEAD, PUT and DELETE; false for POST and PATCH
   */
  readonly idempotent?: boolean;
  /** False for the login and token calls themselves. @defaultValue true */
  readonly auth?: boolean;
  readonly timeoutMs?: number;
  /** Cancels the request and any wait (worker shutdown). */
  readonly signal?: AbortSignal;
  /** Statuses handed back as responses instead of errors (e.g. 404 when probing for a record). */
  readonly accept?: readonly number[];
  /** @defaultValue 'json' */
  readonly responseType?: 'json' | 'text';
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON (or the raw text when the body is not JSON): validate it with a `.passthrough()` schema. */
  readonly data: unknown;
}

/** What a run report or benchmark needs: requests used against requests allowed. */
export interface RequestStats {
  /** Attempts put on the wire, retries included. */
  readonly requests: number;
  readonly retries: number;
  /** 429 responses seen. */
  readonly rateLimited: number;
  readonly authRefreshes: number;
  /** Time spent waiting for the client-side limiter (or a 429 pause). */
  readonly throttledMs: number;
  /** The limit the client enforces. */
  readonly allowed: RateLimit;
}

export interface HttpClient {
  readonly systemId: string;
  request(request: HttpRequest): Promise<HttpResponse>;
  get(path: string, query?: HttpRequest['query'], extra?: Omit<HttpRequest, 'method' | 'path' | 'query'>): Promise<HttpResponse>;
  stats(): RequestStats;
}

/** Methods whose repetition is harmless by HTTP semantics (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = new Set<HttpMethod>(['GET', 'HEAD', 'PUT', 'DELETE']);
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export function createHttpClient(config: HttpClientConfig): HttpClient {
  return new RetryingHttpClient(config);
}

class RetryingHttpClient implements HttpClient {
  readonly systemId: string;
  private readonly policy: RetryPolicy;
  private readonly guards: SystemGuards;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly timeoutMs: number;
  private readonly axios: ReturnType<typeof createAxios>;
  private readonly authErrorStatuses: ReadonlySet<number>;
  private readonly counters = { requests: 0, retries: 0, rateLimited: 0, authRefreshes: 0, throttledMs: 0 };
  private authGeneration = 0;
  private refreshing: Promise<void> | null = null;

  constructor(private readonly config: HttpClientConfig) {
    const options = config.options ?? {};
    this.systemId = config.systemId;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.axios = createAxios(options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, config.tls);
    this.authErrorStatuses = new Set(config.auth?.authErrorStatuses ?? [401]);
    const limit = options.rateLimit ?? { requests: config.rateLimit.requests, windowMs: config.rateLimit.windowMs };
    this.guards = (options.guards ?? processGuards).get(
      config.systemId, limit, { ...DEFAULT_CIRCUIT_BREAKER, ...options.circuitBreaker }, this.clock,
    );
  }

  get(path: string, query?: HttpRequest['query'], extra?: Omit<HttpRequest, 'method' | 'path' | 'query'>): Promise<HttpResponse> {
    return this.request({ ...extra, method: 'GET', path, ...(query === undefined ? {} : { query }) });
  }

  stats(): RequestStats {
    return { ...this.counters, allowed: this.guards.limiter.limit };
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const method = request.method ?? 'GET';
    const idempotent = request.idempotent ?? IDEMPOTENT_METHODS.has(method);
    let retries = 0;
    let reauthenticated = false;
    for (;;) {
      const pausedMs = this.guards.limiter.pausedForMs();
      if (pausedMs > this.policy.maxRetryAfterMs) throw new RateLimitedError('system paused after a 429', this.site(method, request.path, null), pausedMs);

      const { outcome, url, generation, probe } = await this.attempt(request, method);
      const path = safePath(url);

      if (outcome.kind === 'aborted') {
        this.guards.breaker.onAbandon(probe);
        throw outcome.reason instanceof Error ? outcome.reason : new Error('request aborted');
      }

      if (outcome.kind === 'network') {
        this.guards.breaker.onFailure();
        const failed = { ...this.site(method, path, null), code: outcome.code };
        const refused = tlsRefusal(outcome.code);
        if (refused === 'client_certificate') throw new ConnectorConfigError('the vendor refused our client certificate', failed, 'bad_credentials');
        if (refused === 'server_certificate') throw new ConnectorConfigError('the vendor\'s server certificate is not trusted', failed, 'misconfigured');
        const safe = idempotent || outcome.beforeConnect;
        if (!safe) throw new TransientError('no answer to a write; it may have been applied', failed, true);
        if (retries >= this.policy.maxRetries) throw new TransientError(`no answer after ${retries + 1} attempts`, failed);
        await this.backoff(retries, failed, request.signal);
        retries += 1;
        continue;
      }

      const { status } = outcome;
      if ((status >= 200 && status < 300) || request.accept?.includes(status) === true) {
        this.guards.breaker.onSuccess();
        return { status, headers: outcome.headers, data: outcome.data };
      }

      const vendorMessage = this.vendorMessage(outcome.data);
      const failed: CallSite = { ...this.site(method, path, status), ...(vendorMessage === undefined ? {} : { vendorMessage }) };

      if (status >= 500 || status === 408) {
        this.guards.breaker.onFailure();
        // 408: the vendor gave up waiting for our request, so it did not act on it.
        if (!idempotent && status !== 408) throw new TransientError('vendor error on a write; it may have been applied', failed, true);
        const hinted = status === 503 ? parseRetryAfter(outcome.headers[this.retryAfterHeader()], this.clock.now()) : null;
        if (retries >= this.policy.maxRetries) throw new TransientError(`vendor error after ${retries + 1} attempts`, failed, false, hinted ?? undefined);
        if (hinted !== null && hinted > this.policy.maxRetryAfterMs) throw new TransientError('vendor unavailable', failed, false, hinted);
        await this.backoff(retries, failed, request.signal, hinted);
        retries += 1;
        continue;
      }

      this.guards.breaker.onSuccess();

      if (status === 429) {
        this.counters.rateLimited += 1;
        const waitMs = this.rateLimitWait(outcome.headers, retries);
        // Every request of the system waits, not just this one: the vendor counts them all.
        this.guards.limiter.pauseUntil(this.clock.now() + waitMs);
        this.config.logger.warn({ systemId: this.systemId, method, path, status, waitMs, attempt: retries + 1 }, 'rate limited by vendor; pausing system');
        if (retries >= this.policy.maxRetries || waitMs > this.policy.maxRetryAfterMs) {
          throw new RateLimitedError('rate limited', failed, waitMs);
        }
        retries += 1;
        this.counters.retries += 1;
        continue;
      }

      if (this.authErrorStatuses.has(status) && request.auth !== false) {
        if (this.config.auth?.onAuthError !== undefined && !reauthenticated) {
          reauthenticated = true;
          await this.reauthenticate(generation, { status, ...(vendorMessage === undefined ? {} : { vendorMessage }) }, failed);
          continue;
        }
        throw new ConnectorConfigError('credentials refused', failed, 'bad_credentials');
      }
      if (this.authErrorStatuses.has(status)) throw new ConnectorConfigError('credentials refused', failed, 'bad_credentials');
      if (status === 409) throw new VersionConflictError('version conflict', failed);
      if (status === 403) throw new ConnectorConfigError('forbidden', failed, 'forbidden');
      if ((status === 404 || status === 410) && (method === 'GET' || method === 'HEAD')) throw new NotFoundError('not found', failed);
      throw new ConnectorConfigError(method === 'GET' || method === 'HEAD' ? 'request refused' : 'write refused', failed, 'rejected');
    }
  }

  /**
   * One attempt: add credentials, pass the breaker, wait for a slot, send, free the slot.
   * Credentials come first: a hook that logs in goes through this client too, so the login must
   * neither wait for a slot held by requests waiting on it, nor be refused by a half-open breaker
   * whose single probe is the request waiting on it.
   */
  private async attempt(request: HttpRequest, method: HttpMethod): Promise<{ outcome: SendOutcome; url: string; generation: number; probe: boolean }> {
    const outgoing: OutgoingRequest = {
      method,
      baseUrl: this.config.baseUrl,
      path: request.path,
      headers: { accept: 'application/json', ...this.config.headers, ...request.headers },
      query: queryStrings(request.query),
    };
    const generation = this.authGeneration;
    if (request.auth !== false) await this.config.auth?.beforeRequest?.(outgoing);
    const url = buildUrl(outgoing.baseUrl, outgoing.path, outgoing.query);

    const admission = this.guards.breaker.admit();
    if (!admission.allowed) throw new CircuitOpenError(this.site(method, url, null), admission.retryInMs);
    const { probe } = admission;
    let permit: Permit;
    try {
      const waitStart = this.clock.now();
      permit = await this.guards.limiter.acquire(request.signal);
      this.counters.throttledMs += this.clock.now() - waitStart;
    } catch (err: unknown) {
      this.guards.breaker.onAbandon(probe);
      throw err;
    }
    try {
      this.counters.requests += 1;
      const outcome = await send(this.axios, {
        method, url, headers: outgoing.headers, body: request.body,
        timeoutMs: request.timeoutMs ?? this.timeoutMs, responseType: request.responseType ?? 'json', signal: request.signal,
      });
      return { outcome, url, generation, probe };
    } catch (err: unknown) {
      this.guards.breaker.onAbandon(probe);
      throw err;
    } finally {
      permit.release();
    }
  }

  private async backoff(retry: number, site: CallSite, signal: AbortSignal | undefined, hintedMs: number | null = null): Promise<void> {
    const delayMs = hintedMs ?? backoffDelay(retry, this.policy, this.random);
    this.counters.retries += 1;
    this.config.logger.warn(
      { systemId: site.systemId, method: site.method, path: site.path, status: site.status, code: site.code, attempt: retry + 1, delayMs },
      'vendor request failed; retrying',
    );
    await this.clock.sleep(delayMs, signal);
  }

  /** How long to hold the system after a 429: the vendor's word (the later of its headers), else backoff. */
  private rateLimitWait(headers: Readonly<Record<string, string>>, retry: number): number {
    const now = this.clock.now();
    const retryAfter = parseRetryAfter(headers[this.retryAfterHeader()], now);
    const resetName = this.config.rateLimit.resetHeader?.toLowerCase();
    const reset = resetName === undefined ? null : parseRateLimitReset(headers[resetName], now);
    if (retryAfter === null && reset === null) return Math.max(backoffDelay(retry, this.policy, this.random), this.policy.baseDelayMs);
    return Math.max(retryAfter ?? 0, reset ?? 0) + this.policy.retryAfterPadMs;
  }

  private retryAfterHeader(): string {
    return (this.config.rateLimit.retryAfterHeader ?? 'retry-after').toLowerCase();
  }

  /** One refresh for a wave of concurrent auth failures; a request that failed with an old token just retries. */
  private async reauthenticate(
    sentWith: number,
    failure: { readonly status: number; readonly vendorMessage?: string },
    site: CallSite,
  ): Promise<void> {
    if (sentWith < this.authGeneration) return;
    if (this.refreshing === null) {
      this.config.logger.info({ systemId: this.systemId, status: failure.status }, 're-authenticating after an auth failure');
      this.refreshing = (async () => {
        try {
          await this.config.auth?.onAuthError?.(failure);
          this.authGeneration += 1;
          this.counters.authRefreshes += 1;
        } finally {
          this.refreshing = null;
        }
      })();
    }
    try {
      await this.refreshing;
    } catch (err: unknown) {
      if (err instanceof ConnectorError) throw err;
      throw new TransientError('re-authentication failed', { ...site, code: 'EAUTHREFRESH' });
    }
  }

  private vendorMessage(data: unknown): string | undefined {
    try {
      return (this.config.errorMessage ?? extractVendorMessage)(data);
    } catch {
      return undefined;
    }
  }

  private site(method: string, path: string, status: number | null): CallSite {
    return { systemId: this.systemId, method, path: safePath(path), status };
  }
}

function queryStrings(query: HttpRequest['query']): Record<string, string> {
  const out: Record<string, string> = {};
  if (query === undefined) return out;
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) out[key] = String(value);
  }
  return out;
}

/** Joins base and path as strings: `new URL('/v1/x', base)` would drop a base path such as `/rest-services/corp/`. */
export function buildUrl(baseUrl: string, path: string, query: Readonly<Record<string, string>>): string {
  const joined = /^https?:\/\//i.test(path) ? path : `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  const params = new URLSearchParams(query).toString();
  if (params === '') return joined;
  return `${joined}${joined.includes('?') ? '&' : '?'}${params}`;
}

/** The path of a URL or path, without its query: session tokens travel in query strings. */
export function safePath(urlOrPath: string): string {
  const withoutQuery = urlOrPath.split(/[?#]/, 1)[0] ?? '';
  try {
    return /^https?:\/\//i.test(withoutQuery) ? new URL(withoutQuery).pathname : withoutQuery;
  } catch {
    return withoutQuery;
  }
}
