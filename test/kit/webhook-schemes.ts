import {
  signGithub, signGreenhouse, signGusto, signStandardWebhook, signStripe, verifyGithub, verifyGreenhouse, verifyGusto,
  verifyStandardWebhook, verifyStripe, type SigningScheme, type VerifyOptions, type VerifyResult, type WebhookHeaders,
} from '../../connectors/kit/index.ts';

/** One signing scheme as the matrix and fuzz tests drive it. */
export interface SchemeUnderTest {
  readonly scheme: SigningScheme;
  readonly secret: string;
  readonly otherSecret: string;
  /** A secret that was once valid and is no longer configured. */
  readonly retiredSecret: string;
  readonly signatureHeader: string;
  readonly timestamped: boolean;
  /** The digest inside the signature header value (hex or base64). */
  readonly digest: RegExp;
  /** Appended to a digest to make it over-long but still well-formed in its alphabet. */
  readonly extraDigest: string;
  sign(body: Uint8Array | string, secret: string, timestampSeconds: number): Record<string, string>;
  verify(body: Uint8Array, headers: WebhookHeaders, options: VerifyOptions): VerifyResult;
}

const MSG_ID = 'msg_2Vb8qL0cRkZ1';

export const SCHEMES: readonly SchemeUnderTest[] = [
  {
    scheme: 'gusto-hmac', secret: 'f3b1c2d4-verification-token', otherSecret: 'a9e8d7c6-other-token', retiredSecret: '0c1d2e3f-retired-token',
    signatureHeader: 'X-Gusto-Signature', timestamped: false, digest: /[0-9a-f]{64}/, extraDigest: '00',
    sign: (body, secret) => signGusto(body, secret), verify: verifyGusto,
  },
  {
    scheme: 'greenhouse-sha256', secret: 'gh-secret-key-one', otherSecret: 'gh-secret-key-two', retiredSecret: 'gh-secret-key-zero',
    signatureHeader: 'Signature', timestamped: false, digest: /[0-9a-f]{64}/, extraDigest: '00',
    sign: (body, secret) => signGreenhouse(body, secret), verify: verifyGreenhouse,
  },
  {
    scheme: 'standard-webhooks', secret: 'whsec_c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0xMjM0', otherSecret: 'whsec_b3RoZXItc2VjcmV0LWtleS1mb3ItdGVzdHMtOTg3Ng==',
    retiredSecret: 'whsec_cmV0aXJlZC1zZWNyZXQta2V5LTAwMDA=',
    signatureHeader: 'webhook-signature', timestamped: true, digest: /(?<=v1,)[A-Za-z0-9+/]{43}=/, extraDigest: 'AAAA',
    sign: (body, secret, timestampSeconds) => signStandardWebhook(body, secret, { id: MSG_ID, timestampSeconds }), verify: verifyStandardWebhook,
  },
  {
    scheme: 'stripe', secret: 'whsec_stripe_style_endpoint_secret', otherSecret: 'whsec_another_endpoint_secret', retiredSecret: 'whsec_retired_endpoint_secret',
    signatureHeader: 'Stripe-Signature', timestamped: true, digest: /(?<=v1=)[0-9a-f]{64}/, extraDigest: '00',
    sign: (body, secret, timestampSeconds) => signStripe(body, secret, { timestampSeconds }), verify: verifyStripe,
  },
  {
    scheme: 'github', secret: 'gh-hook-secret', otherSecret: 'gh-hook-secret-2', retiredSecret: 'gh-hook-secret-0',
    signatureHeader: 'X-Hub-Signature-256', timestamped: false, digest: /[0-9a-f]{64}/, extraDigest: '00',
    sign: (body, secret) => signGithub(body, secret), verify: verifyGithub,
  },
];

/** Replaces the signature header's digest with `f(digest)`; the test fails loudly if the header has none. */
export function withDigest(s: SchemeUnderTest, headers: Record<string, string>, f: (digest: string) => string): Record<string, string> {
  const value = headers[s.signatureHeader];
  if (value === undefined || !s.digest.test(value)) throw new Error(`no digest in ${s.signatureHeader}`);
  return { ...headers, [s.signatureHeader]: value.replace(s.digest, f) };
}
