import type { VerifyResult } from '../types.ts';
import {
  ACCEPTED, checkTimestamp, decodeBase64, hmacSha256, reject, requireHeader, safeEqual, secretList, toBytes,
  type FormOptions, type VerifyOptions, type WebhookHeaders,
} from './common.ts';

/**
 * Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp` (unix seconds) and
 * `webhook-signature`, a space-separated list of `v1,<base64 HMAC-SHA256>` over `id.timestamp.body`.
 * The secret is `whsec_` + base64 of the key bytes.
 */
export const STANDARD_WEBHOOK_HEADERS = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;

const SECRET_PREFIX = 'whsec_';

/** The key bytes of a `whsec_…` secret; null when it is not valid base64 (a configuration mistake). */
export function standardWebhookKey(secret: string): Buffer | null {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded === '' || encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return null;
  return Buffer.from(encoded, 'base64');
}

/** The id, timestamp and signatures the headers carry, or why they are missing or malformed: no body needed. */
function readStandardSignature(headers: WebhookHeaders, options: FormOptions): { readonly prefix: string; readonly given: Buffer[] } | { readonly error: VerifyResult } {
  const id = requireHeader(headers, STANDARD_WEBHOOK_HEADERS.id, 400);
  if ('error' in id) return id;
  const timestamp = requireHeader(headers, STANDARD_WEBHOOK_HEADERS.timestamp, 400);
  if ('error' in timestamp) return timestamp;
  const signature = requireHeader(headers, STANDARD_WEBHOOK_HEADERS.signature, 401);
  if ('error' in signature) return signature;

  const fresh = checkTimestamp(timestamp.value, options);
  if (!fresh.ok) return { error: fresh };

  // Entries are "version,base64"; a repeated header joined by Node adds ", " between them.
  const given: Buffer[] = [];
  for (const entry of signature.value.split(/\s+/)) {
    const [version, encoded] = entry.replace(/,$/, '').split(',', 2);
    if (version !== 'v1' || encoded === undefined) continue;
    const bytes = decodeBase64(encoded, 32);
    if (bytes !== null) given.push(bytes);
  }
  if (given.length === 0) return { error: reject(401, 'no well-formed v1 signature') };
  return { prefix: `${id.value}.${timestamp.value}.`, given };
}

/** The headers' presence, form and timestamp, before the body is read. */
export function checkStandardWebhookForm(headers: WebhookHeaders, options: FormOptions = {}): VerifyResult {
  const read = readStandardSignature(headers, options);
  return 'error' in read ? read.error : ACCEPTED;
}

export function verifyStandardWebhook(body: Uint8Array, headers: WebhookHeaders, options: VerifyOptions): VerifyResult {
  const read = readStandardSignature(headers, options);
  if ('error' in read) return read.error;
  const keys = secretList(options.secrets).map(standardWebhookKey).filter((key): key is Buffer => key !== null);
  if (keys.length === 0) return reject(401, 'no usable webhook secret configured');
  for (const key of keys) {
    const expected = hmacSha256(key, read.prefix, body);
    if (read.given.some((candidate) => safeEqual(candidate, expected))) return ACCEPTED;
  }
  return reject(401, 'signature mismatch');
}

export function signStandardWebhook(
  body: Uint8Array | string,
  secret: string,
  message: { readonly id: string; readonly timestampSeconds: number },
): Record<string, string> {
  const key = standardWebhookKey(secret);
  if (key === null) throw new RangeError('standard webhooks secret must be whsec_ followed by base64');
  const mac = hmacSha256(key, `${message.id}.${message.timestampSeconds}.`, toBytes(body)).toString('base64');
  return {
    [STANDARD_WEBHOOK_HEADERS.id]: message.id,
    [STANDARD_WEBHOOK_HEADERS.timestamp]: String(message.timestampSeconds),
    [STANDARD_WEBHOOK_HEADERS.signature]: `v1,${mac}`,
  };
}
