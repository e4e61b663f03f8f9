import type { VerifyResult } from '../types.ts';
import type { FormOptions, VerifyOptions, WebhookHeaders } from './common.ts';
import { GITHUB_DELIVERY_HEADER, GITHUB_SIGNATURE_HEADER, checkGithubForm, signGithub, verifyGithub } from './github.ts';
import { GREENHOUSE_EVENT_ID_HEADER, GREENHOUSE_SIGNATURE_HEADER, checkGreenhouseForm, signGreenhouse, verifyGreenhouse } from './greenhouse.ts';
import { checkGustoForm, GUSTO_SIGNATURE_HEADER, signGusto, verifyGusto } from './gusto.ts';
import { checkStandardWebhookForm, signStandardWebhook, STANDARD_WEBHOOK_HEADERS, verifyStandardWebhook } from './standard-webhooks.ts';
import { checkStripeForm, signStripe, STRIPE_SIGNATURE_HEADER, verifyStripe } from './stripe.ts';

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
  /**
   * What `verify` checks before it looks at the body or a secret: the signature header's presence
   * and form (and a signed timestamp's freshness). Refused here means refused by `verify`, with the
   * same status and reason, so a route can answer before reading the body.
   */
  checkForm(headers: WebhookHeaders, options: FormOptions): VerifyResult;
  sign(body: Uint8Array | string, secret: string, input: SignInput): Record<string, string>;
}

export const WEBHOOK_SCHEMES: Readonly<Record<SigningScheme, SchemeInfo>> = {
  'gusto-hmac': {
    signatureHeader: GUSTO_SIGNATURE_HEADER, timestampSigned: false,
    verify: verifyGusto, checkForm: (headers) => checkGustoForm(headers), sign: (body, secret) => signGusto(body, secret),
  },
  'greenhouse-sha256': {
    signatureHeader: GREENHOUSE_SIGNATURE_HEADER, idHeader: GREENHOUSE_EVENT_ID_HEADER, timestampSigned: false,
    verify: verifyGreenhouse, checkForm: (headers) => checkGreenhouseForm(headers), sign: (body, secret) => signGreenhouse(body, secret),
  },
  'standard-webhooks': {
    signatureHeader: STANDARD_WEBHOOK_HEADERS.signature, idHeader: STANDARD_WEBHOOK_HEADERS.id,
    timestampHeader: STANDARD_WEBHOOK_HEADERS.timestamp, timestampSigned: true,
    verify: verifyStandardWebhook, checkForm: checkStandardWebhookForm,
    sign: (body, secret, input) => signStandardWebhook(body, secret, {
      id: input.id ?? 'msg_unset', timestampSeconds: input.timestampSeconds ?? Math.floor(Date.now() / 1000),
    }),
  },
  stripe: {
    signatureHeader: STRIPE_SIGNATURE_HEADER, timestampSigned: true,
    verify: verifyStripe, checkForm: (headers, options) => checkStripeForm(headers, options),
    sign: (body, secret, input) => signStripe(body, secret, { timestampSeconds: input.timestampSeconds ?? Math.floor(Date.now() / 1000) }),
  },
  github: {
    signatureHeader: GITHUB_SIGNATURE_HEADER, idHeader: GITHUB_DELIVERY_HEADER, timestampSigned: false,
    verify: verifyGithub, checkForm: (headers) => checkGithubForm(headers), sign: (body, secret) => signGithub(body, secret),
  },
};

/** Verifies with the named scheme; never throws. */
export function verifyWebhookSignature(scheme: SigningScheme, body: Uint8Array, headers: WebhookHeaders, options: VerifyOptions): VerifyResult {
  return WEBHOOK_SCHEMES[scheme].verify(body, headers, options);
}

/** The named scheme's header-only checks (presence, form, a signed timestamp's age); never throws. */
export function checkWebhookSignatureForm(scheme: SigningScheme, headers: WebhookHeaders, options: FormOptions = {}): VerifyResult {
  return WEBHOOK_SCHEMES[scheme].checkForm(headers, options);
}

/** Signs as the named scheme's sender would: for emulators and tests. */
export function signWebhook(scheme: SigningScheme, body: Uint8Array | string, secret: string, input: SignInput = {}): Record<string, string> {
  return WEBHOOK_SCHEMES[scheme].sign(body, secret, input);
}
