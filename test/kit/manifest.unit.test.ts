import { describe, expect, it } from 'vitest';
import {
  ConnectorConfigError, credentialEnvVar, defineConnector, ManifestError, memoryState, parseManifest, readCredentials,
  secretCredentialKeys, signGusto, silentLogger, webhookVerifierFor, type ConnectorContext, type ConnectorManifestInput,
} from '../../connectors/kit/index.ts';

const manifest = {
  id: 'gusto-like',
  kind: 'payroll',
  displayName: 'Payroll Vendor',
  entities: [
    { name: 'employees', pull: true, incremental: false, push: ['create', 'update'], events: true },
    { name: 'time_sheets', pull: true, push: ['create'] },
  ],
  auth: {
    scheme: 'oauth2-refresh',
    fields: [
      { key: 'clientId', env: 'CLIENT_ID', secret: false },
      { key: 'clientSecret', env: 'CLIENT_SECRET', secret: true },
      { key: 'verificationToken', env: 'WEBHOOK_TOKEN', secret: true },
      { key: 'previousVerificationToken', env: 'WEBHOOK_TOKEN_PREVIOUS', secret: true, required: false },
    ],
  },
  webhook: {
    scheme: 'gusto-hmac', signatureHeader: 'X-Gusto-Signature', timestampSigned: false,
    secretFields: ['verificationToken', 'previousVerificationToken'],
  },
  rateLimit: { requests: 200, windowMs: 60_000, resetHeader: 'X-RateLimit-Reset' },
  baseUrl: 'https://api.vendor.example',
} satisfies ConnectorManifestInput;

function context(credentials: Record<string, string>, systemId = 'payroll-main'): ConnectorContext {
  return { systemId, baseUrl: 'http://127.0.0.1:1', credentials, state: memoryState(), logger: silentLogger, now: () => 1_795_000_000_000 };
}

function issuesOf(input: unknown): string[] {
  try {
    parseManifest(input);
  } catch (err: unknown) {
    if (err instanceof ManifestError) return [...err.issues];
    throw err;
  }
  return [];
}

describe('manifest', () => {
  it('parses a complete manifest and fills the defaults', () => {
    const parsed = parseManifest(manifest);
    expect(parsed.rateLimit).toEqual({ requests: 200, windowMs: 60_000, retryAfterHeader: 'Retry-After', resetHeader: 'X-RateLimit-Reset', documented: true });
    expect(parsed.entities[1]).toEqual({ name: 'time_sheets', pull: true, incremental: false, push: ['create'], events: false });
    expect(parsed.auth.fields[0]?.required).toBe(true);
    expect(secretCredentialKeys(parsed)).toEqual(['clientSecret', 'verificationToken', 'previousVerificationToken']);
  });

  it.each([
    ['id', { ...manifest, id: 'Gusto Like' }, 'id: kebab-case'],
    ['kind', { ...manifest, kind: 'crm' }, 'kind:'],
    ['baseUrl', { ...manifest, baseUrl: 'ftp://vendor.example' }, 'baseUrl:'],
    ['entities', { ...manifest, entities: [] }, 'entities:'],
    ['duplicate entity', { ...manifest, entities: [{ name: 'a', pull: true }, { name: 'a', pull: true }] }, 'entities.1.name: duplicate entity a'],
    ['incremental without pull', { ...manifest, entities: [{ name: 'a', pull: false, incremental: true }] }, 'entities.0.incremental: incremental needs pull'],
    ['rate limit', { ...manifest, rateLimit: { requests: 0, windowMs: 1000 } }, 'rateLimit.requests:'],
    ['unknown key', { ...manifest, colour: 'blue' }, 'colour'],
    ['credential env', { ...manifest, auth: { scheme: 'basic', fields: [{ key: 'apiKey', env: 'api-key', secret: true }] }, webhook: undefined }, 'auth.fields.0.env: UPPER_SNAKE_CASE'],
  ])('refuses a bad %s with a located message', (_label, input, expected) => {
    expect(issuesOf(input).join('\n')).toContain(expected);
  });

  it('needs a webhook or events block when an entity has events', () => {
    const { webhook: _webhook, ...withoutWebhook } = manifest;
    expect(issuesOf(withoutWebhook).join('\n')).toContain('declares neither webhook nor events');
    expect(issuesOf({ ...withoutWebhook, events: { mode: 'queue' } })).toEqual([]);
  });

  it('checks the webhook block against what the scheme really signs', () => {
    const wrongHeader = { ...manifest, webhook: { ...manifest.webhook, signatureHeader: 'X-Signature' } };
    expect(issuesOf(wrongHeader).join('\n')).toContain('webhook.signatureHeader: gusto-hmac signs in X-Gusto-Signature');
    const wrongTimestamp = { ...manifest, webhook: { ...manifest.webhook, timestampSigned: true } };
    expect(issuesOf(wrongTimestamp).join('\n')).toContain('does not sign a timestamp');
    const standard = { ...manifest, webhook: { scheme: 'standard-webhooks', signatureHeader: 'webhook-signature', timestampSigned: true, secretFields: ['clientSecret'] } };
    expect(issuesOf(standard).join('\n')).toContain('webhook.timestampHeader');
    const notSecret = { ...manifest, webhook: { ...manifest.webhook, secretFields: ['clientId'] } };
    expect(issuesOf(notSecret).join('\n')).toContain('clientId is not a secret credential field');
    const none = { ...manifest, webhook: { scheme: 'none', timestampSigned: false } };
    expect(issuesOf(none)).toEqual([]);
  });
});

describe('defineConnector', () => {
  it('validates at definition time and keeps the id literal', () => {
    const connector = defineConnector({ manifest: { ...manifest, id: 'gusto-like' }, create: () => ({ pullPage: async () => ({ records: [], next: null }), fetchByIds: async () => [], push: async () => ({ externalId: 'x' }) }) });
    const id: 'gusto-like' = connector.manifest.id;
    expect(id).toBe('gusto-like');
    expect(() => defineConnector({ manifest: { ...manifest, displayName: '' }, create: () => { throw new Error('unused'); } })).toThrow(ManifestError);
  });

  it('refuses to create an instance with required credentials missing, naming variables, not values', () => {
    const connector = defineConnector({ manifest, create: () => { throw new Error('must not be reached'); } });
    const attempt = (): unknown => connector.create(context({ clientId: 'id-1', clientSecret: 'top-secret-value', verificationToken: '' }));
    expect(attempt).toThrow(ConnectorConfigError);
    try {
      attempt();
    } catch (err: unknown) {
      expect(err).toBeInstanceOf(ConnectorConfigError);
      if (err instanceof ConnectorConfigError) {
        expect(err.reason).toBe('missing_credentials');
        expect(err.message).toContain('CROSSWALK_PAYROLL_MAIN_WEBHOOK_TOKEN');
        expect(err.message).not.toContain('top-secret-value');
      }
    }
  });

  it('passes the parsed manifest to create', () => {
    let seen = 0;
    const connector = defineConnector({
      manifest,
      create: (_ctx, parsed) => {
        seen = parsed.rateLimit.requests;
        return { pullPage: async () => ({ records: [], next: null }), fetchByIds: async () => [], push: async () => ({ externalId: 'x' }) };
      },
    });
    connector.create(context({ clientId: 'a', clientSecret: 'b', verificationToken: 'c' }));
    expect(seen).toBe(200);
  });
});

describe('credentials from the environment', () => {
  it('names variables CROSSWALK_<SYSTEM>_<SUFFIX>', () => {
    expect(credentialEnvVar('gusto-demo', 'CLIENT_ID')).toBe('CROSSWALK_GUSTO_DEMO_CLIENT_ID');
    expect(credentialEnvVar('bullhorn', 'PASSWORD')).toBe('CROSSWALK_BULLHORN_PASSWORD');
  });

  it('reads present ones, skips optional ones, and lists every missing required one', () => {
    const parsed = parseManifest(manifest);
    const env = { CROSSWALK_PAY_CLIENT_ID: 'cid', CROSSWALK_PAY_CLIENT_SECRET: 'cs', CROSSWALK_PAY_WEBHOOK_TOKEN: 'wt' };
    expect(readCredentials(parsed, 'pay', env)).toEqual({ clientId: 'cid', clientSecret: 'cs', verificationToken: 'wt' });
    expect(() => readCredentials(parsed, 'pay', { CROSSWALK_PAY_CLIENT_ID: 'cid' })).toThrow(/CROSSWALK_PAY_CLIENT_SECRET, CROSSWALK_PAY_WEBHOOK_TOKEN/);
  });
});

describe('webhookVerifierFor', () => {
  const parsed = parseManifest(manifest);
  const body = Buffer.from('{"uuid":"e1","event_type":"employee.updated"}');

  it('verifies with the current secret and with the previous one during a rotation', () => {
    const verify = webhookVerifierFor(parsed, context({ verificationToken: 'new-token', previousVerificationToken: 'old-token' }));
    expect(verify(body, signGusto(body, 'new-token'))).toEqual({ ok: true });
    expect(verify(body, signGusto(body, 'old-token'))).toEqual({ ok: true });
    expect(verify(body, signGusto(body, 'other')).ok).toBe(false);
  });

  it('fails at creation, not at the first delivery, when the secret is missing or unusable', () => {
    expect(() => webhookVerifierFor(parsed, context({}))).toThrow(ConnectorConfigError);
    const standard = parseManifest({
      ...manifest,
      webhook: { scheme: 'standard-webhooks', signatureHeader: 'webhook-signature', timestampHeader: 'webhook-timestamp', idHeader: 'webhook-id', timestampSigned: true, secretFields: ['clientSecret'] },
    });
    expect(() => webhookVerifierFor(standard, context({ clientSecret: 'whsec_not base64!' }))).toThrow(/whsec_/);
    const none = parseManifest({ ...manifest, webhook: { scheme: 'none', timestampSigned: false } });
    expect(() => webhookVerifierFor(none, context({}))).toThrow(/no webhook signature scheme/);
  });
});
