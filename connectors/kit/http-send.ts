import axios, { type AxiosInstance } from 'axios';
import { Agent as HttpsAgent } from 'node:https';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One attempt, reduced to what the retry loop decides on. Never holds the request config. */
export type SendOutcome =
  | { readonly kind: 'response'; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly data: unknown }
  | { readonly kind: 'network'; readonly code: string; readonly timedOut: boolean; readonly beforeConnect: boolean }
  | { readonly kind: 'aborted'; readonly reason: unknown };

export interface Attempt {
  readonly method: HttpMethod;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly timeoutMs: number;
  readonly responseType: 'json' | 'text';
  readonly signal: AbortSignal | undefined;
}

/** Errors raised before any byte reached the vendor: safe to retry even for a non-idempotent write. */
const BEFORE_CONNECT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * TLS failures no retry will fix: the vendor refused our client certificate (an alert in the
 * handshake), or its server certificate is not one we trust. Ops must fix the certificates.
 */
const TLS_TRUST = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED',
]);
export function tlsRefusal(code: string): 'client_certificate' | 'server_certificate' | null {
  if (TLS_TRUST.has(code)) return 'server_certificate';
  if (/^ERR_SSL_.*(CERTIFICATE|UNKNOWN_CA|HANDSHAKE_FAILURE|ACCESS_DENIED)/.test(code)) return 'client_certificate';
  return null;
}

/**
 * A client certificate presented in every TLS handshake (mutual TLS: ADP), and the CA that signs
 * the vendor's server certificate when it is not a public one (a test CA).
 */
export interface ClientTls {
  /** PEM certificate (chain) of the client. */
  readonly cert?: string;
  /** PEM private key of that certificate. */
  readonly key?: string;
  /** PEM CA certificate(s) trusted for the server, instead of the system's. */
  readonly ca?: string;
}

export function createAxios(maxResponseBytes: number, tls?: ClientTls): AxiosInstance {
  return axios.create({
    ...(tls === undefined ? {} : { httpsAgent: new HttpsAgent({ ...tls, keepAlive: true }) }),
    // Every status comes back as a response: the kit classifies, not axios.
    validateStatus: () => true,
    maxContentLength: maxResponseBytes,
    maxBodyLength: maxResponseBytes,
    maxRedirects: 5,
    // No axios-level timeout: it only bounds socket inactivity. A total deadline is set below.
    timeout: 0,
    // Vendors answer errors with text or HTML now and then; keep that as a string, do not throw.
    transitional: { silentJSONParsing: true, forcedJSONParsing: true, clarifyTimeoutError: false },
  });
}

/** Sends one attempt with a total deadline of `timeoutMs` (a server trickling bytes cannot hold it). */
export async function send(client: AxiosInstance, attempt: Attempt): Promise<SendOutcome> {
  const deadline = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    deadline.abort(new Error('request deadline exceeded'));
  }, attempt.timeoutMs);
  const signal = attempt.signal === undefined ? deadline.signal : AbortSignal.any([deadline.signal, attempt.signal]);
  try {
    const response = await client.request<unknown>({
      method: attempt.method,
      url: attempt.url,
      headers: attempt.headers,
      data: attempt.body,
      responseType: attempt.responseType,
      signal,
    });
    return { kind: 'response', status: response.status, headers: plainHeaders(response.headers), data: response.data };
  } catch (err: unknown) {
    if (attempt.signal?.aborted === true && !timedOut) return { kind: 'aborted', reason: attempt.signal.reason };
    if (timedOut) return { kind: 'network', code: 'ETIMEDOUT', timedOut: true, beforeConnect: false };
    const code = axios.isAxiosError(err) && typeof err.code === 'string' ? err.code : 'ERR_NETWORK';
    return { kind: 'network', code, timedOut: code === 'ETIMEDOUT' || code === 'ECONNABORTED', beforeConnect: BEFORE_CONNECT.has(code) };
  } finally {
    clearTimeout(timer);
  }
}

function plainHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof headers !== 'object' || headers === null) return out;
  const source: unknown = 'toJSON' in headers && typeof headers.toJSON === 'function' ? (headers.toJSON as () => unknown).call(headers) : headers;
  if (typeof source !== 'object' || source === null) return out;
  for (const [name, value] of Object.entries(source)) {
    if (typeof value === 'string') out[name.toLowerCase()] = value;
    else if (Array.isArray(value)) out[name.toLowerCase()] = value.map(String).join(', ');
    else if (typeof value === 'number') out[name.toLowerCase()] = String(value);
  }
  return out;
}
