import type { VerifyResult } from '../types.ts';
import { hmacSha256, toBytes, type VerifyOptions, type WebhookHeaders } from './common.ts';
import { checkHexBodyForm, verifyHexBody, type HexBodyScheme } from './hex-body.ts';

/** Gusto: `X-Gusto-Signature` = lowercase hex HMAC-SHA256 of the raw body, keyed with the subscription's verification token. */
export const GUSTO_SIGNATURE_HEADER = 'X-Gusto-Signature';

const GUSTO_HEX: HexBodyScheme = {
  header: GUSTO_SIGNATURE_HEADER,
  // Bare hex, no prefix; anything with a separator in it is not Gusto's format.
  extract: (value) => (/^[0-9a-zA-Z]+$/.test(value) ? value : null),
};

/** The signature header's presence and form, before the body is read. */
export function checkGustoForm(headers: WebhookHeaders): VerifyResult {
  return checkHexBodyForm(headers, GUSTO_HEX);
}

export function verifyGusto(body: Uint8Array, headers: WebhookHeaders, options: VerifyOptions): VerifyResult {
  return verifyHexBody(body, headers, options, GUSTO_HEX);
}

export function signGusto(body: Uint8Array | string, verificationToken: string): Record<string, string> {
  return { [GUSTO_SIGNATURE_HEADER]: hmacSha256(verificationToken, toBytes(body)).toString('hex') };
}
