import { describe, expect, it } from 'vitest';
import {
  Candidate,
  ENTITIES,
  ENTITY_NAMES,
  Hours,
  TIME_ENTRY_TRANSITIONS,
  TimeEntry,
  TimeEntryStatus,
  checkTimeEntryTransition,
  entityFields,
  sensitiveKind,
  type TimeEntryStatus as Status,
} from '../../src/model/index.ts';

const STATUSES = TimeEntryStatus.options;

describe('time entry status machine', () => {
  // The issue's rule, written out independently of TIME_ENTRY_TRANSITIONS so a change to either shows.
  const legal: ReadonlyArray<[Status, Status]> = [
    ['draft', 'submitted'],
    ['submitted', 'approved'],
    ['submitted', 'rejected'],
    ['rejected', 'submitted'],
    ['approved', 'exported'],
    // Billing does not wait for payroll (decision 0016): approved time may be invoiced first.
    ['approved', 'invoiced'],
    ['exported', 'invoiced'],
  ];
  const isLegal = (from: Status, to: Status) => legal.some(([a, b]) => a === from && b === to);

  it('allows exactly the legal moves', () => {
    for (const [from, to] of legal) expect(checkTimeEntryTransition(from, to), `${from} → ${to}`).toEqual({ ok: true });
    const table = Object.entries(TIME_ENTRY_TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => `${from}→${to}`));
    expect(table.sort()).toEqual(legal.map(([a, b]) => `${a}→${b}`).sort());
  });

  const illegal = STATUSES.flatMap((from) => STATUSES.filter((to) => to !== from && !isLegal(from, to)).map((to) => [from, to] as const));

  it.each(illegal)('refuses %s → %s with a reason naming the allowed moves', (from, to) => {
    const check = checkTimeEntryTransition(from, to);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    if (from === 'invoiced') {
      expect(check.reason).toBe('a invoiced time entry cannot change status');
    } else {
      const allowed = legal.filter(([a]) => a === from).map(([, b]) => b);
      expect(check.reason).toBe(`a ${from} time entry can only become ${allowed.join(' or ')}, not ${to}`);
    }
  });

  it('covers every pair: 7 legal, 23 illegal, 6 no-ops', () => {
    expect(legal).toHaveLength(7);
    expect(illegal).toHaveLength(23);
  });

  it.each(STATUSES)('refuses %s → itself as "already"', (status) => {
    expect(checkTimeEntryTransition(status, status)).toEqual({ ok: false, reason: `time entry is already ${status}` });
  });

  it('gives the specific reasons ops will read', () => {
    expect(checkTimeEntryTransition('draft', 'approved')).toEqual({ ok: false, reason: 'a draft time entry can only become submitted, not approved' });
    expect(checkTimeEntryTransition('submitted', 'exported')).toEqual({
      ok: false,
      reason: 'a submitted time entry can only become approved or rejected, not exported',
    });
    expect(checkTimeEntryTransition('exported', 'approved')).toEqual({ ok: false, reason: 'a exported time entry can only become invoiced, not approved' });
  });
});

describe('Hours', () => {
  it.each([0, 0.25, 7.5, 7.75, 8, 0.01, 23.99, 24, 0.1 + 0.2])('accepts %s', (h) => {
    expect(Hours.safeParse(h).success).toBe(true);
  });

  it.each([-0.25, 24.01, 25, 7.333, 7.125, 0.001, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s', (h) => {
    expect(Hours.safeParse(h).success).toBe(false);
  });

  it('says why for a third decimal', () => {
    const r = Hours.safeParse(7.125);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('hours carry at most two decimals');
  });
});

describe('TimeEntry schema', () => {
  const entry = {
    assignmentId: 'a1', workDate: '2026-11-16', regularHours: 8, overtimeHours: 0, doubleTimeHours: 0,
    status: 'draft', approvedById: null, approvedAt: null, note: null, adjustsEntryId: null, disputeReason: null, payrollHeldUntil: null,
  };

  it('accepts a plain day and exactly 24 hours across the three kinds', () => {
    expect(TimeEntry.safeParse(entry).success).toBe(true);
    expect(TimeEntry.safeParse({ ...entry, regularHours: 12, overtimeHours: 8, doubleTimeHours: 4 }).success).toBe(true);
  });

  it('refuses more than 24 hours in one day even when each kind is within 0–24', () => {
    const r = TimeEntry.safeParse({ ...entry, regularHours: 12, overtimeHours: 8, doubleTimeHours: 4.25 });
    expect(r.success).toBe(false);
    expect(r.error?.issues).toEqual([expect.objectContaining({ message: 'more than 24 hours in one day', path: ['regularHours'] })]);
  });

  it('refuses negative hours, a bad work date, an unknown status and a time without offset', () => {
    expect(TimeEntry.safeParse({ ...entry, overtimeHours: -1 }).success).toBe(false);
    // Signed hours only on an adjustment (the change it makes to its original).
    expect(TimeEntry.safeParse({ ...entry, overtimeHours: -1, adjustsEntryId: 'a0' }).success).toBe(true);
    expect(TimeEntry.safeParse({ ...entry, overtimeHours: -24.5, adjustsEntryId: 'a0' }).success).toBe(false);
    expect(TimeEntry.safeParse({ ...entry, workDate: '2026-02-30' }).success).toBe(false);
    expect(TimeEntry.safeParse({ ...entry, workDate: '11/16/2026' }).success).toBe(false);
    expect(TimeEntry.safeParse({ ...entry, status: 'paid' }).success).toBe(false);
    expect(TimeEntry.safeParse({ ...entry, approvedAt: '2026-11-16T10:00:00' }).success).toBe(false);
    expect(TimeEntry.safeParse({ ...entry, approvedAt: '2026-11-16T10:00:00Z' }).success).toBe(true);
    expect(TimeEntry.safeParse({ ...entry, approvedAt: '2026-11-16T10:00:00-05:00' }).success).toBe(true);
  });

  it('refuses unknown keys', () => {
    expect(TimeEntry.safeParse({ ...entry, payRateCents: 2940 }).success).toBe(false);
  });
});

describe('no sensitive data in the model', () => {
  const candidate = {
    firstName: 'Ada', lastName: 'Quill', email: 'ada.quill@example.test', phone: null, city: 'Akron', state: 'OH',
    status: 'active', employeeType: 'w2',
  };

  it('Candidate accepts the allowed fields', () => {
    expect(Candidate.safeParse(candidate).success).toBe(true);
  });

  it.each(['ssn', 'dateOfBirth', 'bankAccountNumber', 'routingNumber', 'gender', 'race', 'veteranStatus', 'backgroundCheck'])(
    'Candidate refuses a %s key as an error, not a silent drop',
    (key) => {
      const r = Candidate.safeParse({ ...candidate, [key]: 'x' });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.code).toBe('unrecognized_keys');
    },
  );

  it('no canonical field of any entity looks sensitive', () => {
    const flagged = ENTITY_NAMES.flatMap((e) => entityFields(e).filter((f) => sensitiveKind(f) !== null).map((f) => `${e}.${f}`));
    expect(flagged).toEqual([]);
    expect(Object.keys(ENTITIES)).toHaveLength(ENTITY_NAMES.length);
  });
});

describe('sensitiveKind', () => {
  const SSN = 'social security or tax id';
  const DOB = 'date of birth';
  const BANK = 'bank account';
  const EEO = 'EEO self-identification';
  const BG = 'background, medical or immigration';

  it.each([
    ['ssn', SSN], ['SSN', SSN], ['ssn_last4', SSN], ['person.ssn', SSN], ['employees[0].ssn', SSN], ['socialSecurityNumber', SSN],
    ['social_security_number', SSN], ['governmentIDs', SSN], ['taxId', SSN], ['tax_id', SSN], ['tin', SSN], ['ein', SSN],
    ['dob', DOB], ['DOB', DOB], ['birthDate', DOB], ['date_of_birth', DOB], ['dateOfBirth', DOB], ['birthday', DOB], ['person.birth_date', DOB],
    ['bankAccount', BANK], ['routingNumber', BANK], ['accountNumber', BANK], ['account_number', BANK], ['iban', BANK], ['directDeposit', BANK],
    ['eeo', EEO], ['eeoc_race', EEO], ['genderCode', EEO], ['race', EEO], ['ethnicity', EEO], ['veteranStatus', EEO], ['disability_status', EEO],
    ['sexualOrientation', EEO],
    ['backgroundCheck', BG], ['criminalRecord', BG], ['drugTest', BG], ['eVerify', BG], ['e_verify', BG], ['i9', BG], ['i-9', BG], ['i_9_status', BG],
    ['medicalNotes', BG], ['immigrationStatus', BG], ['visa_status', BG],
  ])('flags %s as %s', (name, what) => {
    expect(sensitiveKind(name)).toBe(what);
  });

  // camelCase hides word boundaries from `[^a-z]` under the `i` flag: these got through before.
  it.each([
    ['employeeSsn', SSN], ['candidateSSN', SSN], ['ssnLast4', SSN], ['SSNLast4', SSN], ['employerEin', SSN], ['einNumber', SSN],
    ['candidateDob', DOB], ['workerDOB', DOB], ['raceCode', EEO], ['racialCategory', EEO], ['greenhouseEeo', EEO], ['i9Status', BG], ['formI9', BG], ['person.i9Verified', BG],
  ])('flags the camelCase name %s as %s', (name, what) => {
    expect(sensitiveKind(name)).toBe(what);
  });

  it.each([
    'firstName', 'lastName', 'email', 'phone', 'status', 'employeeType', 'startDate', 'workDate', 'payRateCents', 'billRateCents',
    'city', 'state', 'postalCode', 'title', 'taxState', 'taxRate', 'taxStatus', 'accountManager', 'accountId', 'dobbs', 'tinted',
    'einstein', 'session', 'lessons', 'tracking', 'customer.address.line1', 'i95Corridor', 'vitamins',
  ])('allows %s', (name) => {
    expect(sensitiveKind(name)).toBeNull();
  });

  // Substring matches on short words refused ordinary names (`trace` holds `race`, `freeOption` holds `eeo`).
  it.each(['traceId', 'gracePeriodDays', 'freeOption', 'embraceCount', 'bracelet', 'degreeOfficial'])('allows %s, which only contains a flagged word', (name) => {
    expect(sensitiveKind(name)).toBeNull();
  });
});
