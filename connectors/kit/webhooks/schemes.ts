import type { VerifyResult } from '../types.ts';
import type { VerifyOptions, WebhookHeaders } from './common.ts';
import { GITHUB_DELIVERY_HEADER, GITHUB_SIGNATURE_HEADER, signGithub, verifyGithub } from './github.ts';
import { GREENHOUSE_EVENT_ID_HEADER, GREENHOUSE_SIGNATURE_HEADER, signGreenhouse, verifyGreenhouse } from './greenhouse.ts';
import { GUSTO_SIGNATURE_HEADER, signGusto, verifyGusto } from './gusto.ts';
import { signStandardWebhook, STANDARD_WEBHOOK_HEADERS, verifyStandardWebhook } from './standard-webhooks.ts';
import { signStripe, STRIPE_SIGNATURE_HEADER, verifyStripe } from './stripe.ts';

export const WEBHOOK_SCHEME_NAMES = ['gusto-hmac', 'greenhouse-sha256', 'standard-webhooks', 'stripe', 'github', 'none'] as const;
export type WebhookScheme = (typeof WEBHOOK_SCHEME_NAMES)[number];
export type SigningScheme = Exclude<WebhookScheme, 'none'>;

/** What a sender needs to sign a message: the id and time only matter to schemes that sign them. */
export interface SignInput {
  readonly id?: string;
  readonly timestampSeconds?: number;
}

export interface SchemeInfo {
  readonly signatureHeader: string;
  /** The delivery id header when the scheme (or vendor) has one. */
  readonly idHeader?: string;
  /** A separate timestamp header; Stripe-style carries its timestamp inside the signature header. */
  readonly timestampHeader?: string;
  readonly timestampSigned: boolean;
  verify(body: Uint8Array, headers: WebhookHeaders, options: VerifyOptions): VerifyResult;
  sign(body: Uint8Array | string, secret: string, input: SignInput): Record<string, string>;
}

export const WEBHOOK_SCHEMES: Readonly<Record<SigningScheme, SchemeInfo>> = {
  'gusto-hmac': {
    signatureHeader: GUSTO_SIGNATURE_HEADER, timestampSigned: false,
    verify: verifyGusto, sign: (body, secret) => signGusto(body, secret),
  },
  'greenhouse-sha256': {
    signatureHeader: GREENHOUSE_SIGNATURE_HEADER, idHeader: GREENHOUSE_EVENT_ID_HEADER, timestampSigned: false,
    verify: verifyGreenhouse, sign: (body, secret) => signGreenhouse(body, secret),
  },
  'standard-webhooks': {
    signatureHeader: STANDARD_WEBHOOK_HEADERS.signature, idHeader: STANDARD_WEBHOOK_HEADERS.id,
    timestampHeader: STANDARD_WEBHOOK_HEADERS.timestamp, timestampSigned: true,
    verify: verifyStandardWebhook,
    sign: (body, secret, input) => signStandardWebhook(body, secret, {
      id: input.id ?? 'msg_unset', timestampSeconds: input.timestampSeconds ?? Math.floor(Date.now() / 1000),
    }),
  },
  stripe: {
    signatureHeader: STRIPE_SIGNATURE_HEADER, timestampSigned: true,
    verify: verifyStripe,
    sign: (body, secret, input) => signStripe(body, secret, { timestampSeconds: input.timestampSeconds ?? Math.floor(Date.now() / 1000) }),
  },
  github: {
    signatureHeader: GITHUB_SIGNATURE_HEADER, idHeader: GITHUB_DELIVERY_HEADER, timestampSigned: false,
    verify: verifyGithub, sign: (body, secret) => signGithub(body, secret),
  },
};

/** Verifies with the named scheme; never throws. */
export function verifyWebhookSignature(scheme: SigningScheme, body: Uint8Array, headers: WebhookHeaders, options: VerifyOptions): VerifyResult {
  return WEBHOOK_SCHEMES[scheme].verify(body, headers, options);
}

/** Signs as the named scheme's sender would: for emulators and tests. */
export function signWebhook(scheme: SigningScheme, body: Uint8Array | string, secret: string, input: SignInput = {}): Record<string, string> {
  return WEBHOOK_SCHEMES[scheme].sign(body, secret, input);
}
