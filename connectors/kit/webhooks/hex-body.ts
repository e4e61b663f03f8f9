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

export function verifyHexBody(body: Uint8Array, headers: WebhookHeaders, options: VerifyOptions, scheme: HexBodyScheme): VerifyResult {
  const found = requireHeader(headers, scheme.header, 401);
  if ('error' in found) return found.error;
  const hex = scheme.extract(found.value);
  if (hex === null) return reject(400, `malformed ${scheme.header} header`);
  const given = decodeHex(hex, 32);
  if (given === null) return reject(401, 'signature is not a 32-byte hex digest');
  const secrets = secretList(options.secrets);
  if (secrets.length === 0) return reject(401, 'no webhook secret configured');
  for (const secret of secrets) {
    if (safeEqual(hmacSha256(secret, body), given)) return ACCEPTED;
  }
  return reject(401, 'signature mismatch');
}
