import type { VerifyResult } from '../types.ts';
import { hmacSha256, toBytes, type VerifyOptions, type WebhookHeaders } from './common.ts';
import { checkHexBodyForm, verifyHexBody, type HexBodyScheme } from './hex-body.ts';

/** GitHub-style: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the raw body keyed with the webhook secret. */
export const GITHUB_SIGNATURE_HEADER = 'X-Hub-Signature-256';
export const GITHUB_DELIVERY_HEADER = 'X-GitHub-Delivery';

const GITHUB_HEX: HexBodyScheme = {
  header: GITHUB_SIGNATURE_HEADER,
  extract: (value) => /^sha256=([0-9a-zA-Z]+)$/.exec(value)?.[1] ?? null,
};

/** The signature header's presence and form, before the body is read. */
export function checkGithubForm(headers: WebhookHeaders): VerifyResult {
  return checkHexBodyForm(headers, GITHUB_HEX);
}

export function verifyGithub(body: Uint8Array, headers: WebhookHeaders, options: VerifyOptions): VerifyResult {
  return verifyHexBody(body, headers, options, GITHUB_HEX);
}

export function signGithub(body: Uint8Array | string, secret: string): Record<string, string> {
  return { [GITHUB_SIGNATURE_HEADER]: `sha256=${hmacSha256(secret, toBytes(body)).toString('hex')}` };
}
