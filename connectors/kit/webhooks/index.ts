export {
  ACCEPTED, checkTimestamp, DEFAULT_TOLERANCE_SECONDS, headerValue, safeEqual,
  type VerifyOptions, type WebhookHeaders,
} from './common.ts';
export { GITHUB_DELIVERY_HEADER, GITHUB_SIGNATURE_HEADER, signGithub, verifyGithub } from './github.ts';
export { GREENHOUSE_EVENT_ID_HEADER, GREENHOUSE_SIGNATURE_HEADER, signGreenhouse, verifyGreenhouse } from './greenhouse.ts';
export { GUSTO_SIGNATURE_HEADER, signGusto, verifyGusto } from './gusto.ts';
export {
  signWebhook, verifyWebhookSignature, WEBHOOK_SCHEME_NAMES, WEBHOOK_SCHEMES,
  type SchemeInfo, type SignInput, type SigningScheme, type WebhookScheme,
} from './schemes.ts';
export { signStandardWebhook, STANDARD_WEBHOOK_HEADERS, standardWebhookKey, verifyStandardWebhook } from './standard-webhooks.ts';
export { signStripe, STRIPE_SIGNATURE_HEADER, verifyStripe, type StripeVerifyOptions } from './stripe.ts';
