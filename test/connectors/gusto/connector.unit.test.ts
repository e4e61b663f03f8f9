import { describe, expect, it } from 'vitest';
import { gustoErrorMessage } from '../../../connectors/gusto/errors.ts';
import { toChangeEvent } from '../../../connectors/gusto/events.ts';
import { gusto, type GustoInstance } from '../../../connectors/gusto/index.ts';
import { buildTimeSheetBody, stableKey } from '../../../connectors/gusto/push/time-sheet-body.ts';
import { shiftFor } from '../../../connectors/gusto/shift.ts';
import { memoryState, signGusto, silentLogger, WebhookPayloadError, type ConnectorState } from '../../../connectors/kit/index.ts';

/** The Gusto connector's pure parts: shifts, time sheet bodies, error text, events, webhooks. */

function instance(credentials: Record<string, string> = {}, state: ConnectorState = memoryState()): GustoInstance {
  return gusto.create({
    systemId: 'gusto-unit', baseUrl: 'http://127.0.0.1:9', state, logger: silentLogger,
    credentials: { clientId: 'c', clientSecret: 's', refreshToken: 'r', ...credentials },
  }) as GustoInstance;
}

const event = {
  uuid: '2c8e4a6f-0b1d-4e3a-9c5f-7a9b1d3e5f70', event_type: 'employee.updated', resource_type: 'Company',
  resource_uuid: 'b3e9d1a4-7c26-4f0b-8e51-92d7a6c0f118', entity_type: 'Employee', entity_uuid: '6a1f0c92-4d3e-4b8a-9f27-1e5d8c3b7a40', timestamp: 1750068000,
};

describe('shiftFor', () => {
  it('starts at 09:00 local on the work date, across daylight saving and zones', () => {
    expect(shiftFor('2025-07-08', 8.5, 'America/New_York')).toEqual({ startedAt: '2025-07-08T13:00:00Z', endedAt: '2025-07-08T21:30:00Z' });
    expect(shiftFor('2025-11-24', 8, 'America/New_York').startedAt).toBe('2025-11-24T14:00:00Z');
    expect(shiftFor('2025-03-09', 4, 'America/Chicago').startedAt).toBe('2025-03-09T14:00:00Z'); // the DST change day
    expect(shiftFor('2025-07-08', 10, 'Pacific/Honolulu')).toEqual({ startedAt: '2025-07-08T19:00:00Z', endedAt: '2025-07-09T05:00:00Z' });
  });

  it('refuses a date that is not YYYY-MM-DD', () => {
    expect(() => shiftFor('07/08/2025', 8, 'UTC')).toThrow(/YYYY-MM-DD/);
  });
});

describe('buildTimeSheetBody', () => {
  const target = { employeeUuid: 'e-1', jobUuid: 'j-1', timeZone: 'America/Denver', portalTimeEntryId: 'row-1' };
  const entries = (regular: number, overtime: number, double: number) => [
    { pay_classification: 'Regular', hours_worked: regular },
    { pay_classification: 'Overtime', hours_worked: overtime },
    { pay_classification: 'Double overtime', hours_worked: double },
  ];

  it('leaves out zero-hour entries and keeps one when every entry is zero', () => {
    const built = buildTimeSheetBody({ shift_started_at: '2026-11-24', entries: entries(6, 0, 2) }, target);
    expect(built.ok && built.body['entries']).toEqual([{ hours_worked: 6, pay_classification: 'Regular' }, { hours_worked: 2, pay_classification: 'Double overtime' }]);
    const zero = buildTimeSheetBody({ shift_started_at: '2026-11-24', entries: entries(0, 0, 0) }, target);
    expect(zero.ok && zero.body['entries']).toEqual([{ hours_worked: 0, pay_classification: 'Regular' }]);
  });

  it('adds the employee, the zone, the shift and the metadata key to what the mapping wrote', () => {
    const built = buildTimeSheetBody({ job_uuid: 'ignored', shift_started_at: '2026-11-24', entries: entries(8, 0, 0), metadata: { source: 'portal', n: 3 } }, target);
    expect(built).toEqual({
      ok: true,
      workDate: '2026-11-24',
      body: {
        entity_uuid: 'e-1', entity_type: 'Employee', job_uuid: 'j-1', time_zone: 'America/Denver',
        shift_started_at: '2026-11-24T16:00:00Z', shift_ended_at: '2026-11-25T00:00:00Z',
        metadata: { source: 'portal', portal_time_entry_id: 'row-1' }, entries: [{ hours_worked: 8, pay_classification: 'Regular' }],
      },
    });
  });

  it('says why a body cannot be built', () => {
    const reason = (built: ReturnType<typeof buildTimeSheetBody>): string => (built.ok ? 'built' : built.reason);
    expect(reason(buildTimeSheetBody({ entries: entries(8, 0, 0) }, target))).toMatch(/work date/);
    expect(reason(buildTimeSheetBody({ shift_started_at: '2026-11-24', entries: [] }, target))).toMatch(/no entries/);
    expect(reason(buildTimeSheetBody({ shift_started_at: '2026-11-24', entries: entries(8, 0, 0) }, { ...target, timeZone: 'Mars/Olympus' }))).toMatch(/IANA/);
    expect(reason(buildTimeSheetBody({ shift_started_at: '2026-11-24', entries: [{ pay_classification: 'Holiday', hours_worked: 8 }] }, target))).toMatch(/Holiday/);
  });

  it('keys on the outbox row, not on the content hash the hub appends', () => {
    expect(stableKey('01a210a4-7479-792f-b4c0-00d5230a8008:0123456789abcdef')).toBe('01a210a4-7479-792f-b4c0-00d5230a8008');
    expect(stableKey('TE-000551')).toBe('TE-000551');
  });
});

describe('gustoErrorMessage', () => {
  it('names key, category and message, nested errors included, never metadata', () => {
    expect(gustoErrorMessage({ errors: [{ error_key: 'email', category: 'invalid_attribute_value', message: 'Email has already been taken', metadata: { email: 'x@y.example' } }] }))
      .toBe('email (invalid_attribute_value): Email has already been taken');
    expect(gustoErrorMessage({
      errors: [{ error_key: 'jobs', category: 'nested_errors', errors: [{ error_key: 'rate', category: 'invalid_attribute_value', message: 'must be positive' }] },
        { error_key: 'base', category: 'invalid_operation', message: 'Payroll is locked' }],
    })).toBe('jobs.rate (invalid_attribute_value): must be positive; Payroll is locked (invalid_operation)');
    expect(gustoErrorMessage({ error: 'invalid_grant', error_description: 'The provided authorization grant is invalid' })).toBe('The provided authorization grant is invalid');
  });
});

describe('events', () => {
  it('reads the kind from the event type and skips entity types the connector does not track', () => {
    expect(toChangeEvent(event)).toEqual({ eventId: event.uuid, entity: 'employees', externalId: event.entity_uuid, kind: 'updated', occurredAt: '2025-06-16T10:00:00.000Z' });
    expect(toChangeEvent({ ...event, event_type: 'employee.terminated' })?.kind).toBe('updated');
    expect(toChangeEvent({ ...event, event_type: 'time_sheet.deleted', entity_type: 'TimeSheet' })).toMatchObject({ entity: 'time_sheets', kind: 'deleted' });
    expect(toChangeEvent({ ...event, event_type: 'payroll.processed', entity_type: 'Payroll' })).toMatchObject({ entity: 'payrolls', kind: 'updated' });
    expect(toChangeEvent({ ...event, event_type: 'company.provisioned', entity_type: 'Company' })).toBeNull();
  });
});

describe('webhooks', () => {
  const body = Buffer.from(JSON.stringify(event));

  it('verifies with the current or the previous token (a rotation), and with nothing else', () => {
    const hooks = instance({ verificationToken: 'new-token', previousVerificationToken: 'old-token' });
    expect(hooks.verifyWebhook?.(body, signGusto(body, 'new-token'))).toEqual({ ok: true });
    expect(hooks.verifyWebhook?.(body, signGusto(body, 'old-token'))).toEqual({ ok: true });
    expect(hooks.verifyWebhook?.(body, signGusto(body, 'other-token'))).toMatchObject({ ok: false, status: 401 });
    expect(hooks.verifyWebhook?.(body, {})).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses every delivery while no token is known, saying what to do', () => {
    const result = instance().verifyWebhook?.(body, signGusto(body, 'any'));
    expect(result).toMatchObject({ ok: false, status: 401 });
    expect(result?.ok === false && result.reason).toMatch(/setupWebhooks/);
  });

  it('verifies with the token setupWebhooks stored in the hub state', async () => {
    const hooks = instance({}, memoryState({ 'webhook.verificationToken': 'learned-token' }));
    await Promise.resolve();
    expect(hooks.verifyWebhook?.(body, signGusto(body, 'learned-token'))).toEqual({ ok: true });
  });

  it('parses an event and refuses what is not one', () => {
    const hooks = instance({ verificationToken: 't' });
    expect(hooks.parseWebhook?.(body, {})).toMatchObject([{ entity: 'employees', kind: 'updated' }]);
    expect(hooks.parseWebhook?.(Buffer.from(JSON.stringify({ ...event, entity_type: 'Company' })), {})).toEqual([]);
    expect(() => hooks.parseWebhook?.(Buffer.from('not json'), {})).toThrow(WebhookPayloadError);
    expect(() => hooks.parseWebhook?.(Buffer.from('{"uuid":"x","event_type":"employee.updated"}'), {})).toThrow(WebhookPayloadError);
    expect(() => hooks.parseWebhook?.(Buffer.from('{"verification_token":"abc"}'), {})).toThrow(/verification/);
  });

  it('takes only an unsigned, exact verification body as a handshake', async () => {
    const state = memoryState({ 'webhook.awaitingVerification': JSON.stringify({ until: Date.now() + 60_000 }) });
    const hooks = instance({}, state);
    const handshake = Buffer.from('{"verification_token":"b1f1c3d2-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}');
    expect(await hooks.acceptWebhookHandshake(handshake, { 'x-gusto-signature': 'ab' })).toBe(false);
    expect(await hooks.acceptWebhookHandshake(body, {})).toBe(false);
    expect(await hooks.acceptWebhookHandshake(Buffer.from('{"verification_token":"t","extra":1}'), {})).toBe(false);
    expect(state.snapshot()['webhook.pendingVerificationToken']).toBeUndefined();
    expect(await hooks.acceptWebhookHandshake(handshake, {})).toBe(true);
    expect(state.snapshot()['webhook.pendingVerificationToken']).toBe('b1f1c3d2-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
    // Pending is not trusted: it signs nothing until setupWebhooks has had Gusto confirm it.
    expect(hooks.verifyWebhook?.(body, signGusto(body, 'b1f1c3d2-4e5f-4a6b-8c7d-9e0f1a2b3c4d'))).toMatchObject({ ok: false });
  });

  const token = (n: number) => Buffer.from(JSON.stringify({ verification_token: `0000000${n}-4e5f-4a6b-8c7d-9e0f1a2b3c4d` }));

  it('refuses a handshake while no subscription awaits verification, or after its deadline', async () => {
    let clock = 1_000_000;
    const state = memoryState({ 'webhook.verificationToken': 'verified-token' });
    const hooks = gusto.create({
      systemId: 'gusto-unit', baseUrl: 'http://127.0.0.1:9', state, logger: silentLogger, credentials: { clientId: 'c', clientSecret: 's', refreshToken: 'r' }, now: () => clock,
    }) as GustoInstance;
    expect(await hooks.acceptWebhookHandshake(token(1), {})).toBe(false);
    await state.set('webhook.awaitingVerification', '');
    expect(await hooks.acceptWebhookHandshake(token(1), {})).toBe(false);
    await state.set('webhook.awaitingVerification', JSON.stringify({ until: clock + 5_000 }));
    clock += 5_001;
    expect(await hooks.acceptWebhookHandshake(token(1), {})).toBe(false);
    expect(state.snapshot()['webhook.pendingVerificationToken']).toBeUndefined();
    expect(state.snapshot()['webhook.verificationToken']).toBe('verified-token');
  });

  it('never replaces a pending token, even when two bodies race', async () => {
    const state = memoryState({ 'webhook.awaitingVerification': JSON.stringify({ until: Date.now() + 60_000 }) });
    const hooks = instance({}, state);
    const raced = await Promise.all([1, 2, 3].map((n) => hooks.acceptWebhookHandshake(token(n), {})));
    expect(raced).toEqual([true, false, false]);
    expect(await hooks.acceptWebhookHandshake(token(4), {})).toBe(false);
    expect(state.snapshot()['webhook.pendingVerificationToken']).toBe('00000001-4e5f-4a6b-8c7d-9e0f1a2b3c4d');
  });
});
