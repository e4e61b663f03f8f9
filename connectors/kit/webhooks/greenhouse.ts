import type { VerifyResult } from '../types.ts';
import { hmacSha256, toBytes, type VerifyOptions, type WebhookHeaders } from './common.ts';
import { checkHexBodyForm, verifyHexBody, type HexBodyScheme } from './hex-body.ts';

/** Greenhouse: `Signature: sha256 <hex>`, the hex HMAC-SHA256 of the raw body keyed with the endpoint's secret key. */
export const GREENHOUSE_SIGNATURE_HEADER = 'Signature';
/** Unique per delivery: the inbox's dedupe key. */
export const GREENHOUSE_EVENT_ID_HEADER = 'Greenhouse-Event-ID';

const GREENHOUSE_HEX: HexBodyScheme = {
  header: GREENHOUSE_SIGNATURE_HEADER,
  extract: (value) => /^sha256 +([0-9a-zA-Z]+)$/i.exec(value)?.[1] ?? null,
};

/** The signature header's presence and form, before the body is read. */
export function checkGreenhouseForm(headers: WebhookHeaders): VerifyResult {
  return checkHexBodyForm(headers, GREENHOUSE_HEX);
}

export function verifyGreenhouse(body: Uint8Array, headers: WebhookHeaders, options: VerifyOptions): VerifyResult {
  return verifyHexBody(body, headers, options, GREENHOUSE_HEX);
}

export function signGreenhouse(body: Uint8Array | string, secretKey: string): Record<string, string> {
  return { [GREENHOUSE_SIGNATURE_HEADER]: `sha256 ${hmacSha256(secretKey, toBytes(body)).toString('hex')}` };
}
