import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleDataset } from '../../fixtures/dataset/index.ts';
import { startGustoEmulator, type RunningGustoEmulator } from '../../fixtures/gusto/index.ts';
import { api, list, obj } from '../../fixtures/gusto/testing/client.ts';

/*
 * The Gusto emulator over real HTTP: OAuth, versioning, employees, jobs, time sheets, payrolls and
 * the events feed. Webhooks and fault switches have their own files.
 */

const dataset = sampleDataset();
const START = Date.parse('2026-11-23T15:00:00Z');

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = START;
  return { now: () => t, advance: (ms) => (t += ms) };
}

async function authorize(emu: RunningGustoEmulator, redirectUri = 'https://hub.example/callback'): Promise<string> {
  const { clientId } = emu.control.credentials;
  const res = await fetch(`${emu.baseUrl}/oauth/authorize?client_id=${clientId}&redirect_uri=${encodeURIComponent(redirectUri)}&response_type=code&state=xyz`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
  expect(location.searchParams.get('state')).toBe('xyz');
  return location.searchParams.get('code') ?? '';
}

function tokenBody(emu: RunningGustoEmulator, extra: Record<string, string>): Record<string, string> {
  return { client_id: emu.control.credentials.clientId, client_secret: emu.control.credentials.clientSecret, ...extra };
}

describe('gusto emulator: OAuth and API versions', () => {
  const time = clock();
  let emu: RunningGustoEmulator;
  beforeAll(async () => {
    emu = await startGustoEmulator({ now: time.now });
  });
  afterAll(async () => emu.close());

  it('exchanges an authorization code (JSON body) for a 2 h bearer token, once', async () => {
    const code = await authorize(emu);
    const res = await api(emu.baseUrl, '/oauth/token', {
      method: 'POST',
      body: tokenBody(emu, { grant_type: 'authorization_code', code, redirect_uri: 'https://hub.example/callback' }),
    });
    expect(res.status).toBe(200);
    const token = obj(res.body);
    expect(token).toMatchObject({ token_type: 'bearer', expires_in: 7200 });
    expect(typeof token['access_token']).toBe('string');
    expect(typeof token['refresh_token']).toBe('string');
    expect(emu.control.events().at(-1)).toMatchObject({ event_type: 'company.provisioned', entity_type: 'Company', entity_uuid: emu.control.companyUuid });

    const again = await api(emu.baseUrl, '/oauth/token', { method: 'POST', body: tokenBody(emu, { grant_type: 'authorization_code', code }) });
    expect(again.status).toBe(400);
    expect(obj(again.body)['error']).toBe('invalid_grant');
  });

  it('accepts a form-encoded token request and rejects a mismatched redirect_uri', async () => {
    const code = await authorize(emu);
    const wrongRedirect = await api(emu.baseUrl, '/oauth/token', {
      method: 'POST',
      body: new URLSearchParams(tokenBody(emu, { grant_type: 'authorization_code', code, redirect_uri: 'https://evil.example/cb' })),
    });
    expect(wrongRedirect.status).toBe(400);
    const code2 = await authorize(emu);
    const ok = await api(emu.baseUrl, '/oauth/token', { method: 'POST', body: new URLSearchParams(tokenBody(emu, { grant_type: 'authorization_code', code: code2 })) });
    expect(ok.status).toBe(200);
  });

  it('refuses a client secret in the URL (400), a wrong secret (401) and an unknown grant type (400)', async () => {
    const code = await authorize(emu);
    const inUrl = await api(emu.baseUrl, `/oauth/token?client_secret=${emu.control.credentials.clientSecret}`, {
      method: 'POST',
      body: tokenBody(emu, { grant_type: 'authorization_code', code }),
    });
    expect(inUrl.status).toBe(400);
    expect(obj(inUrl.body)['error']).toBe('invalid_request');
    const wrong = await api(emu.baseUrl, '/oauth/token', { method: 'POST', body: { ...tokenBody(emu, { grant_type: 'authorization_code', code }), client_secret: 'nope' } });
    expect(wrong.status).toBe(401);
    expect(obj(wrong.body)['error']).toBe('invalid_client');
    const grant = await api(emu.baseUrl, '/oauth/token', { method: 'POST', body: tokenBody(emu, { grant_type: 'password' }) });
    expect(obj(grant.body)['error']).toBe('unsupported_grant_type');
  });

  it('rotates refresh tokens: the old pair dies on the first use of the new access token', async () => {
    const first = emu.control.issueTokens();
    const refresh = async (token: string) => api(emu.baseUrl, '/oauth/token', { method: 'POST', body: tokenBody(emu, { grant_type: 'refresh_token', refresh_token: token }) });
    const second = obj((await refresh(first.refresh_token)).body);
    expect(second['refresh_token']).not.toBe(first.refresh_token);

    // Until the new access token is used, the old pair still works (a lost refresh response is survivable).
    expect((await api(emu.baseUrl, '/v1/token_info', { bearer: first.access_token })).status).toBe(200);
    const retried = await refresh(first.refresh_token);
    expect(retried.status).toBe(200);
    const third = obj(retried.body);

    expect((await api(emu.baseUrl, '/v1/token_info', { bearer: String(third['access_token']) })).status).toBe(200);
    const oldAccess = await api(emu.baseUrl, '/v1/token_info', { bearer: first.access_token });
    expect(oldAccess.status).toBe(401);
    expect(oldAccess.headers.get('www-authenticate')).toContain('revoked');
    const oldRefresh = await refresh(first.refresh_token);
    expect(oldRefresh.status).toBe(400);
    expect(obj(oldRefresh.body)['error']).toBe('invalid_grant');
    expect((await refresh(String(third['refresh_token']))).status).toBe(200);
  });

  it('answers 401 for expired, unknown and missing credentials, and for the wrong scheme', async () => {
    const tokens = emu.control.issueTokens();
    expect((await api(emu.baseUrl, '/v1/token_info', { bearer: tokens.access_token })).status).toBe(200);
    time.advance(2 * 60 * 60 * 1000);
    const expired = await api(emu.baseUrl, '/v1/token_info', { bearer: tokens.access_token });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('expired');
    expect(obj(expired.body)['errors']).toEqual([expect.objectContaining({ error_key: 'base', category: 'unauthorized' })]);
    const refreshed = await api(emu.baseUrl, '/oauth/token', { method: 'POST', body: tokenBody(emu, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }) });
    expect(refreshed.status).toBe(200);

    expect((await api(emu.baseUrl, '/v1/token_info', { bearer: 'not-a-token' })).status).toBe(401);
    expect((await api(emu.baseUrl, '/v1/token_info')).status).toBe(401);
    expect((await api(emu.baseUrl, '/v1/token_info', { apiToken: emu.control.credentials.apiToken })).status).toBe(401);
  });

  it('honours X-Gusto-API-Version: echoes it, defaults to the minimum, 406 outside the supported range', async () => {
    const { access_token: bearer } = emu.control.issueTokens();
    const explicit = await api(emu.baseUrl, '/v1/token_info', { bearer, headers: { 'X-Gusto-API-Version': '2025-06-15' } });
    expect(explicit.headers.get('x-gusto-api-version')).toBe('2025-06-15');
    const omitted = await api(emu.baseUrl, '/v1/token_info', { bearer });
    expect(omitted.headers.get('x-gusto-api-version')).toBe('2025-06-15');
    for (const bad of ['2024-04-01', '2099-01-01', 'latest']) {
      const res = await api(emu.baseUrl, '/v1/token_info', { bearer, headers: { 'X-Gusto-API-Version': bad } });
      expect(res.status, bad).toBe(406);
      expect(obj(res.body)).toMatchObject({ name: 'Invalid X-Gusto-API-Version Header' });
    }
    expect(emu.control.apiVersionsSeen()['2025-06-15']).toBeGreaterThanOrEqual(2);
  });

  it('tells the token holder its company', async () => {
    const { access_token: bearer } = emu.control.issueTokens();
    const info = obj((await api(emu.baseUrl, '/v1/token_info', { bearer })).body);
    expect(info['resource']).toEqual({ type: 'Company', uuid: emu.control.companyUuid });
    expect(obj((await api(emu.baseUrl, `/v1/companies/${emu.control.companyUuid}`, { bearer })).body)['uuid']).toBe(emu.control.companyUuid);
    const other = await api(emu.baseUrl, '/v1/companies/00000000-0000-4000-8000-000000000000/employees', { bearer });
    expect(other.status).toBe(404);
    expect(obj(other.body)['errors']).toEqual([expect.objectContaining({ category: 'not_found' })]);
  });
});

describe('gusto emulator: employees seeded from the dataset', () => {
  let emu: RunningGustoEmulator;
  let bearer: string;
  let employeesPath: string;
  beforeAll(async () => {
    emu = await startGustoEmulator({ dataset, rateLimit: 10_000 });
    bearer = emu.control.issueTokens().access_token;
    employeesPath = `/v1/companies/${emu.control.companyUuid}/employees`;
  });
  afterAll(async () => emu.close());

  it('seeds about 80 % of candidates with an active or completed assignment, matched by email', () => {
    const eligible = new Set(dataset.assignments.filter((a) => a.status === 'active' || a.status === 'completed').map((a) => a.candidateId));
    const seeded = [...emu.control.keyMaps().employees.keys()];
    expect(seeded.length).toBe(Math.round(eligible.size * 0.8));
    expect(emu.control.count('employees')).toBe(seeded.length);
    for (const key of seeded) {
      expect(eligible.has(key)).toBe(true);
      const candidate = dataset.candidates.find((c) => c.key === key);
      const employee = emu.control.getEmployee(emu.control.employeeUuidFor(key) ?? '');
      expect(employee?.['email']).toBe(candidate?.email);
      expect(employee?.['first_name']).toBe(candidate?.firstName);
      expect(employee?.['ssn']).toBe('');
      expect(employee?.['date_of_birth']).toBeNull();
    }
  });

  it('gives each seeded employee one job per active/completed assignment at the current pay rate', () => {
    const [candidateKey, employeeUuid] = [...emu.control.keyMaps().employees.entries()][0] ?? ['', ''];
    const assignments = dataset.assignments.filter((a) => a.candidateId === candidateKey && (a.status === 'active' || a.status === 'completed'));
    const employee = emu.control.getEmployee(employeeUuid) ?? {};
    const jobs = list(employee['jobs']);
    expect(jobs).toHaveLength(assignments.length);
    for (const assignment of assignments) {
      const job = jobs.find((j) => j['uuid'] === emu.control.jobUuidFor(assignment.key));
      const rates = dataset.assignmentRates.filter((r) => r.assignmentId === assignment.key).sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
      const current = rates.at(-1)?.payRateCents ?? 0;
      expect(job).toMatchObject({ hire_date: assignment.startDate, payment_unit: 'Hour', rate: (current / 100).toFixed(2) });
      expect(list(job?.['compensations'])).toHaveLength(Math.max(1, rates.length));
      if (assignment.title !== null) expect(job?.['title']).toBe(assignment.title);
    }
    const custom = list(employee['custom_fields']);
    expect(custom).toEqual([expect.objectContaining({ name: 'Portal Assignment ID', type: 'text', value: null })]);
  });

  it('pages with page/per and X-Page, X-Per-Page, X-Total-Count, X-Total-Pages, covering every employee once', async () => {
    const total = emu.control.count('employees');
    const seen = new Set<string>();
    let pages = 0;
    for (let page = 1; ; page++) {
      const res = await api(emu.baseUrl, `${employeesPath}?page=${page}&per=10`, { bearer });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-page')).toBe(String(page));
      expect(res.headers.get('x-per-page')).toBe('10');
      expect(res.headers.get('x-total-count')).toBe(String(total));
      expect(res.headers.get('x-total-pages')).toBe(String(Math.ceil(total / 10)));
      const rows = list(res.body);
      if (rows.length === 0) break;
      pages += 1;
      for (const row of rows) {
        expect(seen.has(String(row['uuid']))).toBe(false);
        seen.add(String(row['uuid']));
        expect(row['custom_fields']).toBeUndefined();
      }
    }
    expect(seen.size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 10));
    const defaults = await api(emu.baseUrl, employeesPath, { bearer });
    expect(defaults.headers.get('x-per-page')).toBe('25');
    expect(list(defaults.body)).toHaveLength(Math.min(25, total));
    expect((await api(emu.baseUrl, `${employeesPath}?per=5000`, { bearer })).headers.get('x-per-page')).toBe('100');
    expect((await api(emu.baseUrl, `${employeesPath}?page=0`, { bearer })).status).toBe(422);
  });

  it('filters by terminated, uuids and search_term, and includes custom fields on request', async () => {
    const uuids = [...emu.control.keyMaps().employees.values()];
    const [a = '', b = '', c = ''] = uuids;
    emu.control.terminate(c, '2026-11-20');
    const terminated = list((await api(emu.baseUrl, `${employeesPath}?terminated=true&per=100`, { bearer })).body);
    expect(terminated.length).toBeGreaterThanOrEqual(1);
    expect(terminated.every((e) => e['terminated'] === true)).toBe(true);
    expect(terminated.map((e) => e['uuid'])).toContain(c);
    const active = list((await api(emu.baseUrl, `${employeesPath}?terminated=false&per=100`, { bearer })).body);
    expect(active.map((e) => e['uuid'])).not.toContain(c);

    const byUuid = list((await api(emu.baseUrl, `${employeesPath}?uuids=${a},${b}&include=custom_fields`, { bearer })).body);
    expect(byUuid.map((e) => e['uuid']).sort()).toEqual([a, b].sort());
    expect(list(byUuid[0]?.['custom_fields'])).toHaveLength(1);

    const email = String(emu.control.getEmployee(a)?.['email']);
    const found = list((await api(emu.baseUrl, `${employeesPath}?search_term=${encodeURIComponent(email.toUpperCase())}`, { bearer })).body);
    expect(found.map((e) => e['uuid'])).toEqual([a]);
    expect((await api(emu.baseUrl, `${employeesPath}?terminated=maybe`, { bearer })).status).toBe(422);
  });

  it('reads one employee, 404 for an unknown one', async () => {
    const uuid = [...emu.control.keyMaps().employees.values()][3] ?? '';
    const res = await api(emu.baseUrl, `/v1/employees/${uuid}`, { bearer });
    expect(obj(res.body)['uuid']).toBe(uuid);
    const missing = await api(emu.baseUrl, '/v1/employees/00000000-0000-4000-8000-000000000000', { bearer });
    expect(missing.status).toBe(404);
    expect(obj(missing.body)['errors']).toEqual([expect.objectContaining({ error_key: 'base', category: 'not_found', metadata: {} })]);
  });

  it('updates with the current version (new version, event) and answers 409 to a stale one', async () => {
    const uuid = [...emu.control.keyMaps().employees.values()][4] ?? '';
    const before = obj((await api(emu.baseUrl, `/v1/employees/${uuid}`, { bearer })).body);
    const ok = await api(emu.baseUrl, `/v1/employees/${uuid}`, { method: 'PUT', bearer, body: { version: before['version'], preferred_first_name: 'Sunny' } });
    expect(ok.status).toBe(200);
    const after = obj(ok.body);
    expect(after['preferred_first_name']).toBe('Sunny');
    expect(after['version']).not.toBe(before['version']);
    expect(emu.control.events().at(-1)).toMatchObject({ event_type: 'employee.updated', entity_type: 'Employee', entity_uuid: uuid });

    const stale = await api(emu.baseUrl, `/v1/employees/${uuid}`, { method: 'PUT', bearer, body: { version: before['version'], preferred_first_name: 'Cloudy' } });
    expect(stale.status).toBe(409);
    expect(obj(stale.body)['errors']).toEqual([expect.objectContaining({ error_key: 'version', category: 'invalid_operation' })]);
    expect(emu.control.getEmployee(uuid)?.['preferred_first_name']).toBe('Sunny');
    const noVersion = await api(emu.baseUrl, `/v1/employees/${uuid}`, { method: 'PUT', bearer, body: { preferred_first_name: 'Cloudy' } });
    expect(noVersion.status).toBe(422);
  });

  it('writes the Portal Assignment ID custom field through the employee PUT', async () => {
    const uuid = [...emu.control.keyMaps().employees.values()][5] ?? '';
    const version = String(emu.control.getEmployee(uuid)?.['version']);
    const res = await api(emu.baseUrl, `/v1/employees/${uuid}`, { method: 'PUT', bearer, body: { version, custom_fields: [{ name: 'Portal Assignment ID', value: 'ASG-0042' }] } });
    expect(res.status).toBe(200);
    expect(list(obj(res.body)['custom_fields'])[0]?.['value']).toBe('ASG-0042');
    const read = obj((await api(emu.baseUrl, `/v1/employees/${uuid}/custom_fields`, { bearer })).body);
    expect(list(read['custom_fields'])[0]?.['value']).toBe('ASG-0042');
    const unknown = await api(emu.baseUrl, `/v1/employees/${uuid}`, { method: 'PUT', bearer, body: { version: obj(res.body)['version'], custom_fields: [{ name: 'Shoe size', value: '9' }] } });
    expect(unknown.status).toBe(422);
  });

  it('validates a create with a 422 in Gusto error format and never stores SSN or date of birth', async () => {
    const invalid = await api(emu.baseUrl, employeesPath, { method: 'POST', bearer, body: { email: 'not-an-email' } });
    expect(invalid.status).toBe(422);
    const errors = list(obj(invalid.body)['errors']);
    expect(errors.map((e) => e['error_key']).sort()).toEqual(['email', 'first_name', 'last_name']);
    for (const error of errors) {
      expect(Object.keys(error).sort()).toEqual(['category', 'error_key', 'message', 'metadata']);
      expect(error['category']).toBe('invalid_attribute_value');
    }
    expect(errors.find((e) => e['error_key'] === 'first_name')?.['message']).toBe("First name can't be blank");

    const taken = String(emu.control.getEmployee([...emu.control.keyMaps().employees.values()][6] ?? '')?.['email']);
    const duplicate = await api(emu.baseUrl, employeesPath, { method: 'POST', bearer, body: { first_name: 'Ana', last_name: 'Dup', email: taken } });
    expect(duplicate.status).toBe(422);

    const count = emu.control.count('employees');
    const created = await api(emu.baseUrl, employeesPath, {
      method: 'POST',
      bearer,
      body: { first_name: 'Søren', last_name: 'Åberg', email: 'soren.aberg@example.com', ssn: '123456789', date_of_birth: '1990-01-01' },
    });
    expect(created.status).toBe(201);
    const employee = obj(created.body);
    expect(employee).toMatchObject({ first_name: 'Søren', last_name: 'Åberg', ssn: '', has_ssn: false, date_of_birth: null, onboarded: false, jobs: [] });
    expect(JSON.stringify(emu.control.getEmployee(String(employee['uuid'])))).not.toContain('123456789');
    expect(emu.control.count('employees')).toBe(count + 1);
    expect(emu.control.sensitiveFieldsReceived().map((s) => s.field).sort()).toEqual(['date_of_birth', 'ssn']);
    expect(emu.control.events().at(-1)).toMatchObject({ event_type: 'employee.created', entity_uuid: employee['uuid'] });
  });

  it('creates a job with a $0 compensation and sets the rate through the compensation PUT (versioned)', async () => {
    const employee = obj((await api(emu.baseUrl, employeesPath, { method: 'POST', bearer, body: { first_name: 'Ngọc', last_name: 'Trần', email: 'ngoc.tran@example.com' } })).body);
    const bad = await api(emu.baseUrl, `/v1/employees/${String(employee['uuid'])}/jobs`, { method: 'POST', bearer, body: { title: 'Forklift Operator', hire_date: '2026-13-01' } });
    expect(bad.status).toBe(422);
    const created = await api(emu.baseUrl, `/v1/employees/${String(employee['uuid'])}/jobs`, { method: 'POST', bearer, body: { title: 'Forklift Operator', hire_date: '2026-11-02' } });
    expect(created.status).toBe(201);
    const job = obj(created.body);
    expect(job).toMatchObject({ title: 'Forklift Operator', hire_date: '2026-11-02', rate: '0.00', primary: true });
    const comp = list(job['compensations'])[0] ?? {};

    const set = await api(emu.baseUrl, `/v1/compensations/${String(comp['uuid'])}`, { method: 'PUT', bearer, body: { version: comp['version'], rate: '24.50', payment_unit: 'Hour' } });
    expect(set.status).toBe(200);
    expect(obj(set.body)['rate']).toBe('24.50');
    const stale = await api(emu.baseUrl, `/v1/compensations/${String(comp['uuid'])}`, { method: 'PUT', bearer, body: { version: comp['version'], rate: '30.00' } });
    expect(stale.status).toBe(409);
    const readJob = obj((await api(emu.baseUrl, `/v1/jobs/${String(job['uuid'])}`, { bearer })).body);
    expect(readJob['rate']).toBe('24.50');

    const staleJob = await api(emu.baseUrl, `/v1/jobs/${String(job['uuid'])}`, { method: 'PUT', bearer, body: { version: 'deadbeef', title: 'Lead' } });
    expect(staleJob.status).toBe(409);
    const renamed = await api(emu.baseUrl, `/v1/jobs/${String(job['uuid'])}`, { method: 'PUT', bearer, body: { version: readJob['version'], title: 'Lead Forklift Operator' } });
    expect(obj(renamed.body)['title']).toBe('Lead Forklift Operator');
    expect(emu.control.events().at(-1)).toMatchObject({ event_type: 'employee.updated', entity_uuid: employee['uuid'] });
  });
});

describe('gusto emulator: time sheets', () => {
  let emu: RunningGustoEmulator;
  let bearer: string;
  let path: string;
  let employeeUuid: string;
  let jobUuid: string;
  let otherJobUuid: string;
  const sheet = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    entity_uuid: employeeUuid,
    entity_type: 'Employee',
    job_uuid: jobUuid,
    time_zone: 'America/New_York',
    shift_started_at: '2026-11-17T13:00:00Z',
    shift_ended_at: '2026-11-17T21:30:00Z',
    metadata: { portal_time_entry_id: 'TE-000551' },
    entries: [
      { hours_worked: 8.0, pay_classification: 'Regular' },
      { hours_worked: 0.5, pay_classification: 'Overtime' },
    ],
    ...overrides,
  });
  beforeAll(async () => {
    emu = await startGustoEmulator({ dataset, rateLimit: 10_000 });
    bearer = emu.control.issueTokens().access_token;
    path = `/v1/companies/${emu.control.companyUuid}/time_tracking/time_sheets`;
    const employees = emu.control.employees();
    const first = employees[0] ?? {};
    employeeUuid = String(first['uuid']);
    jobUuid = String(list(first['jobs'])[0]?.['uuid']);
    otherJobUuid = String(list(employees[1]?.['jobs'])[0]?.['uuid']);
  });
  afterAll(async () => emu.close());

  it('creates a time sheet shaped like the request, with status, version and metadata', async () => {
    const res = await api(emu.baseUrl, path, { method: 'POST', bearer, body: sheet() });
    expect(res.status).toBe(201);
    const created = obj(res.body);
    expect(created).toMatchObject({
      entity_uuid: employeeUuid,
      entity_type: 'Employee',
      job_uuid: jobUuid,
      status: 'approved',
      metadata: { portal_time_entry_id: 'TE-000551' },
      entries: [
        { hours_worked: 8, pay_classification: 'Regular' },
        { hours_worked: 0.5, pay_classification: 'Overtime' },
      ],
    });
    expect(String(created['version'])).toMatch(/^[0-9a-f]{32}$/);
    expect(emu.control.events().at(-1)).toMatchObject({ event_type: 'time_sheet.created', entity_type: 'TimeSheet', entity_uuid: created['uuid'] });
    const read = await api(emu.baseUrl, `/v1/time_tracking/time_sheets/${String(created['uuid'])}`, { bearer });
    expect(obj(read.body)).toEqual(created);
  });

  it('normalises pay_classification casing', async () => {
    const res = await api(emu.baseUrl, path, {
      method: 'POST',
      bearer,
      body: sheet({ shift_started_at: '2026-11-18T13:00:00Z', shift_ended_at: null, entries: [{ hours_worked: 2, pay_classification: 'DOUBLE_OVERTIME' }, { hours_worked: 1, pay_classification: 'regular' }] }),
    });
    expect(list(obj(res.body)['entries']).map((e) => e['pay_classification'])).toEqual(['Double overtime', 'Regular']);
  });

  it('rejects invalid bodies with 422s naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [sheet({ entity_uuid: '00000000-0000-4000-8000-000000000000' }), 'entity_uuid'],
      [sheet({ job_uuid: otherJobUuid }), 'job_uuid'],
      [sheet({ time_zone: 'Mars/Olympus_Mons' }), 'time_zone'],
      [sheet({ entries: [] }), 'entries'],
      [sheet({ entries: [{ hours_worked: 25, pay_classification: 'Regular' }] }), 'entries[0].hours_worked'],
      [sheet({ entries: [{ hours_worked: 8, pay_classification: 'Holiday' }] }), 'entries[0].pay_classification'],
      [sheet({ metadata: { n: 1 } }), 'metadata.n'],
      [sheet({ shift_ended_at: '2026-11-17T12:00:00Z' }), 'shift_ended_at'],
      [sheet({ shift_started_at: undefined }), 'shift_started_at'],
    ];
    for (const [body, key] of cases) {
      const res = await api(emu.baseUrl, path, { method: 'POST', bearer, body });
      expect(res.status, key).toBe(422);
      expect(list(obj(res.body)['errors']).map((e) => e['error_key']), key).toContain(key);
    }
  });

  it('lists with entity, date-range, status filters and paging; a lost create is found by its metadata', async () => {
    const otherEmployee = emu.control.employees()[1] ?? {};
    for (let day = 9; day <= 13; day++) {
      const date = `2026-11-${String(day).padStart(2, '0')}`;
      await api(emu.baseUrl, path, { method: 'POST', bearer, body: sheet({ shift_started_at: `${date}T13:00:00Z`, shift_ended_at: `${date}T21:00:00Z`, metadata: { portal_time_entry_id: `TE-${day}` } }) });
    }
    await api(emu.baseUrl, path, {
      method: 'POST',
      bearer,
      body: sheet({ entity_uuid: otherEmployee['uuid'], job_uuid: otherJobUuid, shift_started_at: '2026-11-10T13:00:00Z', shift_ended_at: '2026-11-10T21:00:00Z' }),
    });

    const week = await api(emu.baseUrl, `${path}?entity_uuids=${employeeUuid}&after=2026-11-10&before=2026-11-12&per=100`, { bearer });
    const rows = list(week.body);
    expect(rows.map((r) => obj(r['metadata'])['portal_time_entry_id'])).toEqual(['TE-10', 'TE-11', 'TE-12']);
    expect(week.headers.get('x-total-count')).toBe('3');
    expect(rows.find((r) => obj(r['metadata'])['portal_time_entry_id'] === 'TE-11')?.['entity_uuid']).toBe(employeeUuid);

    const paged = await api(emu.baseUrl, `${path}?entity_uuids=${employeeUuid}&per=2&page=2`, { bearer });
    expect(list(paged.body)).toHaveLength(2);
    expect(paged.headers.get('x-total-pages')).toBe(String(Math.ceil(Number(paged.headers.get('x-total-count')) / 2)));
    expect(list((await api(emu.baseUrl, `${path}?status=rejected`, { bearer })).body)).toHaveLength(0);
    expect(list((await api(emu.baseUrl, `${path}?entity_type=Contractor`, { bearer })).body)).toHaveLength(0);
    expect((await api(emu.baseUrl, `${path}?status=paid`, { bearer })).status).toBe(422);
    expect((await api(emu.baseUrl, `${path}?after=yesterday`, { bearer })).status).toBe(422);
  });

  it('updates with the version (409 when stale) and deletes', async () => {
    const created = obj((await api(emu.baseUrl, path, { method: 'POST', bearer, body: sheet({ shift_started_at: '2026-11-19T13:00:00Z', shift_ended_at: '2026-11-19T21:00:00Z' }) })).body);
    expect(typeof created['uuid']).toBe('string');
    const url = `/v1/time_tracking/time_sheets/${String(created['uuid'])}`;
    const updated = await api(emu.baseUrl, url, { method: 'PUT', bearer, body: { version: created['version'], entries: [{ hours_worked: 7.5, pay_classification: 'Regular' }], status: 'rejected' } });
    expect(updated.status).toBe(200);
    expect(obj(updated.body)).toMatchObject({ status: 'rejected', entries: [{ hours_worked: 7.5, pay_classification: 'Regular' }] });
    expect(obj(updated.body)['version']).not.toBe(created['version']);
    const stale = await api(emu.baseUrl, url, { method: 'PUT', bearer, body: { version: created['version'], status: 'approved' } });
    expect(stale.status).toBe(409);
    expect((await api(emu.baseUrl, url, { method: 'DELETE', bearer })).status).toBe(204);
    expect((await api(emu.baseUrl, url, { bearer })).status).toBe(404);
    expect(emu.control.events().at(-1)).toMatchObject({ event_type: 'time_sheet.deleted', entity_uuid: created['uuid'] });
  });
});

describe('gusto emulator: payrolls', () => {
  let emu: RunningGustoEmulator;
  let bearer: string;
  let base: string;
  beforeAll(async () => {
    emu = await startGustoEmulator({ dataset, rateLimit: 10_000 });
    bearer = emu.control.issueTokens().access_token;
    base = `/v1/companies/${emu.control.companyUuid}/payrolls`;
  });
  afterAll(async () => emu.close());

  /** Exported or invoiced hours of seeded employees in a week, in thousandths, from the dataset. */
  function datasetMilli(weekStart: string): { regular: number; overtime: number; double: number } {
    const end = new Date(Date.parse(`${weekStart}T00:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10);
    const sum = { regular: 0, overtime: 0, double: 0 };
    for (const entry of dataset.timeEntries()) {
      if ((entry.status !== 'exported' && entry.status !== 'invoiced') || entry.workDate < weekStart || entry.workDate > end) continue;
      if (emu.control.jobUuidFor(entry.assignmentId) === undefined) continue;
      sum.regular += Math.round(entry.regularHours * 1000);
      sum.overtime += Math.round(entry.overtimeHours * 1000);
      sum.double += Math.round(entry.doubleTimeHours * 1000);
    }
    return sum;
  }

  function payrollMilli(payroll: Record<string, unknown>): { regular: number; overtime: number; double: number } {
    const sum = { regular: 0, overtime: 0, double: 0 };
    for (const comp of list(payroll['employee_compensations'])) {
      for (const hourly of list(comp['hourly_compensations'])) {
        expect(String(hourly['hours'])).toMatch(/^\d+\.\d{3}$/);
        const milli = Math.round(Number(hourly['hours']) * 1000);
        if (hourly['name'] === 'Regular Hours') sum.regular += milli;
        else if (hourly['name'] === 'Overtime') sum.overtime += milli;
        else if (hourly['name'] === 'Double overtime') sum.double += milli;
        else throw new Error(`unexpected hourly compensation ${String(hourly['name'])}`);
      }
    }
    return sum;
  }

  it('lists processed payrolls by default, and the open one on request, with date filters', async () => {
    const processed = list((await api(emu.baseUrl, base, { bearer })).body);
    expect(processed.length).toBeGreaterThanOrEqual(1);
    expect(processed.every((p) => p['processed'] === true)).toBe(true);
    expect(processed[0]?.['employee_compensations']).toBeUndefined();
    const all = list((await api(emu.baseUrl, `${base}?processing_statuses=processed,unprocessed&include=totals`, { bearer })).body);
    expect(all.length).toBe(processed.length + 1);
    const open = all.filter((p) => p['processed'] === false);
    expect(open).toHaveLength(1);
    expect(open[0]?.['totals']).toBeNull();
    expect(String(obj(all[0]?.['totals'])['gross_pay'])).toMatch(/^\d+\.\d{2}$/);

    const firstStart = String(obj(processed[0]?.['pay_period'])['start_date']);
    const from = await api(emu.baseUrl, `${base}?start_date=${firstStart}&end_date=${firstStart}`, { bearer });
    expect(list(from.body)).toHaveLength(0);
    const firstEnd = String(obj(processed[0]?.['pay_period'])['end_date']);
    expect(list((await api(emu.baseUrl, `${base}?start_date=${firstStart}&end_date=${firstEnd}`, { bearer })).body)).toHaveLength(1);
    expect((await api(emu.baseUrl, `${base}?processing_statuses=done`, { bearer })).status).toBe(422);
  });

  it('shows a processed payroll with employee compensations whose hours equal the exported time', async () => {
    const processed = list((await api(emu.baseUrl, base, { bearer })).body);
    for (const summary of processed) {
      const payroll = obj((await api(emu.baseUrl, `${base}/${String(summary['uuid'])}`, { bearer })).body);
      expect(payroll).toMatchObject({ uuid: summary['uuid'], payroll_uuid: summary['uuid'], processed: true, off_cycle: false });
      const period = obj(payroll['pay_period']);
      expect(payrollMilli(payroll)).toEqual(datasetMilli(String(period['start_date'])));
      const comp = list(payroll['employee_compensations'])[0] ?? {};
      expect(String(comp['gross_pay'])).toMatch(/^\d+\.\d{2}$/);
      const totals = obj(payroll['totals']);
      const gross = list(payroll['employee_compensations']).reduce((s, c) => s + Math.round(Number(c['gross_pay']) * 100), 0);
      expect(Math.round(Number(totals['gross_pay']) * 100)).toBe(gross);
    }
    expect((await api(emu.baseUrl, `${base}/00000000-0000-4000-8000-000000000000`, { bearer })).status).toBe(404);
  });

  it('processPayroll pays the open period’s time sheets, locks them and opens the next week', async () => {
    const open = list((await api(emu.baseUrl, `${base}?processing_statuses=unprocessed`, { bearer })).body)[0] ?? {};
    const period = obj(open['pay_period']);
    const employee = emu.control.employees().find((e) => e['terminated'] === false) ?? {};
    const jobUuid = String(list(employee['jobs'])[0]?.['uuid']);
    const sheetsPath = `/v1/companies/${emu.control.companyUuid}/time_tracking/time_sheets`;
    const created = obj(
      (
        await api(emu.baseUrl, sheetsPath, {
          method: 'POST',
          bearer,
          body: {
            entity_uuid: employee['uuid'],
            entity_type: 'Employee',
            job_uuid: jobUuid,
            time_zone: 'America/Chicago',
            shift_started_at: `${String(period['start_date'])}T14:00:00Z`,
            entries: [{ hours_worked: 8, pay_classification: 'Regular' }, { hours_worked: 1.25, pay_classification: 'Overtime' }],
          },
        })
      ).body,
    );

    const processed = emu.control.processPayroll();
    expect(processed).toMatchObject({ uuid: open['uuid'], processed: true });
    const line = list(list(processed['employee_compensations']).find((c) => c['employee_uuid'] === employee['uuid'])?.['hourly_compensations']);
    expect(line.find((h) => h['name'] === 'Regular Hours' && h['job_uuid'] === jobUuid)?.['hours']).toBe('8.000');
    expect(line.find((h) => h['name'] === 'Overtime' && h['job_uuid'] === jobUuid)?.['hours']).toBe('1.250');
    expect(emu.control.timeSheetPayroll(String(created['uuid']))).toBe(open['uuid']);
    expect(emu.control.events().at(-1)).toMatchObject({ event_type: 'payroll.processed', entity_type: 'Payroll', entity_uuid: open['uuid'] });

    const locked = await api(emu.baseUrl, `/v1/time_tracking/time_sheets/${String(created['uuid'])}`, { method: 'PUT', bearer, body: { version: created['version'], status: 'rejected' } });
    expect(locked.status).toBe(422);
    const next = list((await api(emu.baseUrl, `${base}?processing_statuses=unprocessed`, { bearer })).body);
    expect(next).toHaveLength(1);
    expect(obj(next[0]?.['pay_period'])['start_date']).toBe(new Date(Date.parse(`${String(period['start_date'])}T00:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10));
    expect(() => emu.control.processPayroll({ payrollUuid: String(open['uuid']) })).toThrow();
  });

  it('leaves late time unpaid unless asked to pay earlier periods, and never pays rejected sheets', async () => {
    const employee = emu.control.employees().find((e) => e['terminated'] === false) ?? {};
    const jobUuid = String(list(employee['jobs'])[0]?.['uuid']);
    const sheetsPath = `/v1/companies/${emu.control.companyUuid}/time_tracking/time_sheets`;
    const post = async (startedAt: string, hours: number): Promise<string> =>
      String(
        obj(
          (
            await api(emu.baseUrl, sheetsPath, {
              method: 'POST',
              bearer,
              body: { entity_uuid: employee['uuid'], entity_type: 'Employee', job_uuid: jobUuid, time_zone: 'UTC', shift_started_at: startedAt, entries: [{ hours_worked: hours, pay_classification: 'Regular' }] },
            })
          ).body,
        )['uuid'],
      );
    const firstProcessedStart = String(obj(list((await api(emu.baseUrl, base, { bearer })).body)[0]?.['pay_period'])['start_date']);
    const late = await post(`${firstProcessedStart}T09:00:00Z`, 3);
    const open = list((await api(emu.baseUrl, `${base}?processing_statuses=unprocessed`, { bearer })).body)[0] ?? {};
    const rejected = await post(`${String(obj(open['pay_period'])['start_date'])}T09:00:00Z`, 5);
    emu.control.setTimeSheetStatus(rejected, 'rejected');

    emu.control.processPayroll();
    expect(emu.control.timeSheetPayroll(late)).toBeNull();
    expect(emu.control.timeSheetPayroll(rejected)).toBeNull();
    const next = emu.control.processPayroll({ includeEarlierUnpaid: true });
    expect(emu.control.timeSheetPayroll(late)).toBe(next['uuid']);
    expect(emu.control.timeSheetPayroll(rejected)).toBeNull();
  });
});

describe('gusto emulator: events feed', () => {
  let emu: RunningGustoEmulator;
  let bearer: string;
  beforeAll(async () => {
    emu = await startGustoEmulator({ dataset, rateLimit: 10_000 });
    bearer = emu.control.issueTokens().access_token;
    const uuids = [...emu.control.keyMaps().employees.values()].slice(0, 5);
    for (const [i, uuid] of uuids.entries()) emu.control.editEmployee(uuid, { preferred_first_name: `Nick${i}` });
    emu.control.terminate(uuids[0] ?? '');
    emu.control.processPayroll();
  });
  afterAll(async () => emu.close());

  it('pages by starting_after_uuid with X-Has-Next-Page, each event once, in order', async () => {
    const expected = emu.control.events().map((e) => e.uuid);
    expect(expected).toHaveLength(7);
    const seen: string[] = [];
    let cursor = '';
    for (;;) {
      const res = await api(emu.baseUrl, `/v1/events?limit=2${cursor ? `&starting_after_uuid=${cursor}` : ''}`, { bearer });
      expect(res.status).toBe(200);
      const events = list(res.body);
      seen.push(...events.map((e) => String(e['uuid'])));
      if (res.headers.get('x-has-next-page') !== 'true') break;
      cursor = String(events.at(-1)?.['uuid']);
    }
    expect(seen).toEqual(expected);
  });

  it('serves the webhook event shape and filters by event_type and resource_uuid', async () => {
    const events = list((await api(emu.baseUrl, '/v1/events?event_type=employee.terminated', { apiToken: emu.control.credentials.apiToken })).body);
    expect(events).toHaveLength(1);
    const event = events[0] ?? {};
    expect(Object.keys(event).sort()).toEqual(['entity_type', 'entity_uuid', 'event_type', 'resource_type', 'resource_uuid', 'timestamp', 'uuid']);
    expect(event).toMatchObject({ resource_type: 'Company', resource_uuid: emu.control.companyUuid, entity_type: 'Employee' });
    // Unix seconds, not milliseconds.
    expect(Number.isInteger(event['timestamp'])).toBe(true);
    expect(Math.abs(Number(event['timestamp']) - Date.now() / 1000)).toBeLessThan(120);
    expect(list((await api(emu.baseUrl, '/v1/events?event_type=employee.*', { bearer })).body)).toHaveLength(6);
    expect(list((await api(emu.baseUrl, '/v1/events?event_type=payroll.processed', { bearer })).body)).toHaveLength(1);
    expect(list((await api(emu.baseUrl, '/v1/events?resource_uuid=00000000-0000-4000-8000-000000000000', { bearer })).body)).toHaveLength(0);
  });

  it('rejects a limit outside 1..100 and an unknown cursor', async () => {
    expect((await api(emu.baseUrl, '/v1/events?limit=0', { bearer })).status).toBe(422);
    expect((await api(emu.baseUrl, '/v1/events?limit=101', { bearer })).status).toBe(422);
    expect((await api(emu.baseUrl, '/v1/events?starting_after_uuid=nope', { bearer })).status).toBe(422);
  });
});

describe('gusto emulator: determinism', () => {
  it('makes the same uuids and versions from the same seed, different ones from another seed', async () => {
    const a = await startGustoEmulator({ dataset });
    const b = await startGustoEmulator({ dataset });
    const c = await startGustoEmulator({ dataset, seed: 7 });
    try {
      expect(a.control.companyUuid).toBe(b.control.companyUuid);
      expect([...a.control.keyMaps().employees]).toEqual([...b.control.keyMaps().employees]);
      expect(a.control.employees()).toEqual(b.control.employees());
      expect(a.control.payrolls()).toEqual(b.control.payrolls());
      expect(c.control.companyUuid).not.toBe(a.control.companyUuid);
      expect(a.control.companyUuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
