import type { VerifyResult } from '../types.ts';
import {
  ACCEPTED, checkTimestamp, decodeHex, hmacSha256, reject, requireHeader, safeEqual, secretList, toBytes,
  type VerifyOptions, type WebhookHeaders,
} from './common.ts';

/**
 * Stripe-style: one header `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, each v1 the hex HMAC-SHA256 of
 * `t.body` keyed with the endpoint secret as a string. Several v1 entries appear while the sender
 * rotates its secret; one matching is enough.
 */
export const STRIPE_SIGNATURE_HEADER = 'Stripe-Signature';

export interface StripeVerifyOptions extends VerifyOptions {
  /** Vendors that copied the scheme name their own header. @defaultValue 'Stripe-Signature' */
  readonly header?: string;
}

/** What the signature header says, or why it is missing or malformed (a stale timestamp included): no body needed. */
function readStripeSignature(headers: WebhookHeaders, options: Omit<StripeVerifyOptions, 'secrets'>): { readonly timestamp: string; readonly given: Buffer[] } | { readonly error: VerifyResult } {
  const header = options.header ?? STRIPE_SIGNATURE_HEADER;
  const found = requireHeader(headers, header, 401);
  if ('error' in found) return found;

  const timestamps: string[] = [];
  const given: Buffer[] = [];
  for (const item of found.value.split(',')) {
    const separator = item.indexOf('=');
    if (separator < 0) continue;
    const key = item.slice(0, separator).trim();
    const value = item.slice(separator + 1).trim();
    if (key === 't') timestamps.push(value);
    if (key === 'v1') {
      const bytes = decodeHex(value, 32);
      if (bytes !== null) given.push(bytes);
    }
  }
  const [timestamp] = timestamps;
  if (timestamps.length !== 1 || timestamp === undefined) return { error: reject(400, `${header} header needs exactly one t=`) };
  const fresh = checkTimestamp(timestamp, options);
  if (!fresh.ok) return { error: fresh };
  if (given.length === 0) return { error: reject(401, 'no well-formed v1 signature') };
  return { timestamp, given };
}

/** The signature header's presence, form and timestamp, before the body is read. */
export function checkStripeForm(headers: WebhookHeaders, options: Omit<StripeVerifyOptions, 'secrets'> = {}): VerifyResult {
  const read = readStripeSignature(headers, options);
  return 'error' in read ? read.error : ACCEPTED;
}

export function verifyStripe(body: Uint8Array, headers: WebhookHeaders, options: StripeVerifyOptions): VerifyResult {
  const read = readStripeSignature(headers, options);
  if ('error' in read) return read.error;
  const secrets = secretList(options.secrets);
  if (secrets.length === 0) return reject(401, 'no webhook secret configured');
  for (const secret of secrets) {
    const expected = hmacSha256(secret, `${read.timestamp}.`, body);
    if (read.given.some((candidate) => safeEqual(candidate, expected))) return ACCEPTED;
  }
  return reject(401, 'signature mismatch');
}

export function signStripe(
  body: Uint8Array | string,
  secret: string,
  message: { readonly timestampSeconds: number; readonly header?: string },
): Record<string, string> {
  const mac = hmacSha256(secret, `${message.timestampSeconds}.`, toBytes(body)).toString('hex');
  return { [message.header ?? STRIPE_SIGNATURE_HEADER]: `t=${message.timestampSeconds},v1=${mac}` };
}
