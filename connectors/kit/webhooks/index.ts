export {
  ACCEPTED, checkTimestamp, DEFAULT_TOLERANCE_SECONDS, headerValue, safeEqual,
  type FormOptions, type VerifyOptions, type WebhookHeaders,
} from './common.ts';
export { GITHUB_DELIVERY_HEADER, GITHUB_SIGNATURE_HEADER, checkGithubForm, signGithub, verifyGithub } from './github.ts';
export { GREENHOUSE_EVENT_ID_HEADER, GREENHOUSE_SIGNATURE_HEADER, checkGreenhouseForm, signGreenhouse, verifyGreenhouse } from './greenhouse.ts';
export { checkGustoForm, GUSTO_SIGNATURE_HEADER, signGusto, verifyGusto } from './gusto.ts';
export {
  checkWebhookSignatureForm, signWebhook, verifyWebhookSignature, WEBHOOK_SCHEME_NAMES, WEBHOOK_SCHEMES,
  type SchemeInfo, type SignInput, type SigningScheme, type WebhookScheme,
} from './schemes.ts';
export { checkStandardWebhookForm, signStandardWebhook, STANDARD_WEBHOOK_HEADERS, standardWebhookKey, verifyStandardWebhook } from './standard-webhooks.ts';
export { checkStripeForm, signStripe, STRIPE_SIGNATURE_HEADER, verifyStripe, type StripeVerifyOptions } from './stripe.ts';
