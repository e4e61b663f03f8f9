/** The connector kit: what every connector builds on. Connectors import from here, not from the files. */
export type * from './types.ts';
export { backoffDelay, DEFAULT_RETRY_POLICY, parseRateLimitReset, parseRetryAfter, sleep, type RetryPolicy } from './backoff.ts';
export { CircuitBreaker, DEFAULT_CIRCUIT_BREAKER, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker.ts';
export { memoryState, type ConnectorContext, type ConnectorState } from './context.ts';
export {
  CircuitOpenError, ConnectorConfigError, ConnectorError, connectorErrorKind, NotFoundError, RateLimitedError, TransientError,
  VersionConflictError, WebhookPayloadError, type CallSite, type ConfigReason, type ConnectorErrorKind,
} from './errors.ts';
export { GuardRegistry, processGuards, type SystemGuards } from './guards.ts';
export {
  buildUrl, createHttpClient, safePath,
  type AuthHooks, type HttpClient, type HttpClientConfig, type HttpMethod, type HttpOptions, type HttpRequest, type HttpResponse,
  type OutgoingRequest, type QueryValue, type RateLimitSpec, type RequestStats,
} from './http.ts';
export type { ClientTls } from './http-send.ts';
export { silentLogger, type ConnectorLogger } from './logger.ts';
export {
  ConnectorManifestSchema, credentialEnvVar, defineConnector, ManifestError, parseManifest, readCredentials, secretCredentialKeys,
  type Connector, type ConnectorActions, type ConnectorDefinition, type ConnectorManifest, type ConnectorManifestInput, type EntitySpec,
} from './manifest.ts';
export { SlidingWindowLimiter, systemClock, type Clock, type Permit, type RateLimit } from './rate-limiter.ts';
export { singleFlight } from './single-flight.ts';
export { extractVendorMessage } from './vendor-message.ts';
export { httpClientFor, webhookVerifierFor, type WebhookVerifier } from './wiring.ts';
export * from './webhooks/index.ts';
export { byText, decimal, dollarCells, HoursSum, metaText, type PayrollCell, type PayrollFile, type PayrollFileEntry, type PayrollFileLayout, type PayrollFileOptions } from './payroll-file.ts';
