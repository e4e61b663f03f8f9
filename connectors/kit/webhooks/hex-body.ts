import type { VerifyResult } from '../types.ts';
import { ACCEPTED, decodeHex, hmacSha256, reject, requireHeader, safeEqual, secretList, type VerifyOptions, type WebhookHeaders } from './common.ts';

/**
 * The shape Gusto, Greenhouse and GitHub share: one header holding the hex HMAC-SHA256 of the raw
 * body, with a scheme-specific prefix. These schemes sign one value, so a header that holds two (a
 * duplicated header, joined by Node) is malformed rather than "one of them may be right".
 */
export interface HexBodyScheme {
  readonly header: string;
  /** The hex digest inside the header value, or null when the value is not in the scheme's format. */
  readonly extract: (value: string) => string | null;
}

/** The digest in the scheme's header, or why the header is missing or malformed: no body needed. */
export function readHexBodySignature(headers: WebhookHeaders, scheme: HexBodyScheme): { readonly given: Buffer } | { readonly error: VerifyResult } {
  const found = requireHeader(headers, scheme.header, 401);
  if ('error' in found) return found;
  const hex = scheme.extract(found.value);
  if (hex === null) return { error: reject(400, `malformed ${scheme.header} header`) };
  const given = decodeHex(hex, 32);
  if (given === null) return { error: reject(401, 'signature is not a 32-byte hex digest') };
  return { given };
}

export function checkHexBodyForm(headers: WebhookHeaders, scheme: HexBodyScheme): VerifyResult {
  const read = readHexBodySignature(headers, scheme);
  return 'error' in read ? read.error : ACCEPTED;
}

export function verifyHexBody(body: Uint8Array, headers: WebhookHeaders, options: VerifyOptions, scheme: HexBodyScheme): VerifyResult {
  const read = readHexBodySignature(headers, scheme);
  if ('error' in read) return read.error;
  const secrets = secretList(options.secrets);
  if (secrets.length === 0) return reject(401, 'no webhook secret configured');
  for (const secret of secrets) {
    if (safeEqual(hmacSha256(secret, body), read.given)) return ACCEPTED;
  }
  return reject(401, 'signature mismatch');
}
