import { describe, expect, it } from 'vitest';
import {
  CircuitOpenError, ConnectorConfigError, connectorErrorKind, extractVendorMessage, NotFoundError, RateLimitedError, TransientError,
  VersionConflictError, WebhookPayloadError,
} from '../../connectors/kit/index.ts';

const site = { systemId: 'gusto', method: 'PUT', path: '/v1/employees/e-1', status: 409 };

describe('connector errors', () => {
  it('carry the call site and a kind the queue can switch on', () => {
    const cases = [
      [new ConnectorConfigError('forbidden', { ...site, status: 403 }, 'forbidden'), 'config', false],
      [new TransientError('vendor error', { ...site, status: 502 }), 'transient', true],
      [new CircuitOpenError({ ...site, status: null }, 1_000), 'transient', true],
      [new RateLimitedError('rate limited', { ...site, status: 429 }, 2_000), 'rate_limited', true],
      [new VersionConflictError('version conflict', site), 'version_conflict', false],
      [new NotFoundError('not found', { ...site, method: 'GET', status: 404 }), 'not_found', false],
      [new WebhookPayloadError('no uuid', 'gusto'), 'webhook_payload', false],
    ] as const;
    for (const [err, kind, retryable] of cases) {
      expect(connectorErrorKind(err)).toBe(kind);
      expect(err.retryable).toBe(retryable);
    }
    expect(connectorErrorKind(new Error('plain'))).toBeNull();
  });

  it('say where the call went in the message and in JSON, and nothing more', () => {
    const err = new ConnectorConfigError('write refused', { ...site, status: 422, vendorMessage: 'Email has already been taken' }, 'rejected');
    expect(err.message).toBe('gusto PUT /v1/employees/e-1 → 422: write refused: Email has already been taken');
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'ConnectorConfigError', kind: 'config', message: err.message, systemId: 'gusto', method: 'PUT',
      path: '/v1/employees/e-1', status: 422, vendorMessage: 'Email has already been taken',
    });
    const network = new TransientError('no answer', { ...site, status: null, code: 'ECONNRESET' }, true);
    expect(network.message).toContain('→ ECONNRESET');
    expect(network.mayHaveApplied).toBe(true);
    expect(new RateLimitedError('x', site, 1500).retryAfterMs).toBe(1500);
    expect(ConnectorConfigError.forSystem('bullhorn', 'missing credentials: clientId', 'missing_credentials').message).toBe('bullhorn: missing credentials: clientId');
  });
});

describe('extractVendorMessage', () => {
  it.each([
    ['Bullhorn', { errorMessage: "Bad 'BhRestToken' or timed-out.", errorMessageKey: 'errors.authentication.invalidRestToken', errorCode: 401 }, "Bad 'BhRestToken' or timed-out."],
    ['Gusto 422', { errors: [{ error_key: 'email', category: 'invalid_attribute_value', message: 'Email has already been taken' }] }, 'Email has already been taken'],
    ['Gusto nested', { errors: [{ error_key: 'base', category: 'nested_errors', errors: [{ message: 'Hours must be positive' }] }] }, 'Hours must be positive'],
    ['Greenhouse 422', { message: 'Validation error', errors: [{ message: 'is not included in the list', field: 'type' }] }, 'Validation error; type: is not included in the list'],
    ['OAuth', { error: 'invalid_grant', error_description: 'Refresh token already used' }, 'Refresh token already used'],
    ['OAuth bare', { error: 'invalid_client' }, 'invalid_client'],
    ['ADP', { confirmMessage: { resourceMessages: [{ processMessages: [{ userMessage: { messageTxt: 'Worker not found' } }] }] } }, 'Worker not found'],
    ['plain text', 'Service Unavailable', 'Service Unavailable'],
  ])('reads %s error bodies', (_vendor, body, expected) => {
    expect(extractVendorMessage(body)).toBe(expected);
  });

  it('ignores HTML pages, empty bodies and unknown shapes, and truncates long text', () => {
    expect(extractVendorMessage('<html><body>502 Bad Gateway</body></html>')).toBeUndefined();
    expect(extractVendorMessage(null)).toBeUndefined();
    expect(extractVendorMessage({ id: 3, email: 'someone@example.com' })).toBeUndefined();
    const long = extractVendorMessage({ message: 'x'.repeat(1_000) });
    expect(long?.length).toBe(300);
    expect(extractVendorMessage({ message: 'line one\nline\u0000two' })).toBe('line one line two');
  });
});
