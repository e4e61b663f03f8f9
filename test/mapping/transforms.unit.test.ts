import { describe, expect, it } from 'vitest';
import type { CompiledMapping, RefResolver } from '../../src/mapping/index.ts';
import { mapping, problems } from './helpers.ts';

const noRefs: RefResolver = () => null;

function incoming(m: CompiledMapping, record: Record<string, unknown>) {
  const r = m.toIncoming({ id: 1, ...record });
  if (!r.ok) throw new Error(r.error);
  return r.record;
}

function vendor(m: CompiledMapping, canonical: Record<string, string | number | null>, resolve: RefResolver = noRefs) {
  const r = m.toVendor(canonical, resolve);
  if (!r.ok) throw new Error(r.error);
  return r.body;
}

describe('date', () => {
  const m = mapping(
    'time_entry',
    `  - { target: workDate, from: day, transform: { date: { format: us-date } }, direction: both }
  - { target: approvedAt, from: approved, transform: { date: { format: epoch-ms, timeZone: America/Chicago } }, direction: both }
  - { target: assignmentId, from: placement, transform: { ref: { entity: assignment } } }
`,
  );

  it('reads into a date or a date-time as the target needs', () => {
    expect(incoming(m, { day: '07/04/2025', approved: 1751846400000 }).values).toMatchObject({ workDate: '2025-07-04', approvedAt: '2025-07-07T00:00:00.000Z' });
  });

  it('writes back in the vendor format', () => {
    expect(vendor(m, { workDate: '2025-07-04', approvedAt: '2025-07-07T00:00:00.000Z' })).toEqual({ day: '07/04/2025', approved: 1751846400000 });
  });

  it('makes the record invalid, naming field, path and value, when a date does not parse', () => {
    const r = incoming(m, { day: '07/32/2025', approved: 1751846400000 });
    expect(r.invalid).toBe('workDate (from day): "07/32/2025" is not a date (MM/DD/YYYY)');
    expect(r.externalId).toBe('1');
  });

  it('is refused on a field that is not a date', () => {
    expect(problems('time_entry', '  - { target: note, from: n, transform: { date: { format: iso-date } } }\n')).toEqual([
      'mappings/bullhorn/thing.yaml:6 fields[0].transform: date needs a date or date-time target; note is text',
    ]);
  });
});

describe('money', () => {
  const m = mapping(
    'assignment_rate',
    `  - { target: assignmentId, from: id, transform: { ref: { entity: assignment } } }
  - { target: payRateCents, from: payRate, transform: { money: {} }, direction: both }
  - { target: billRateCents, from: bill, transform: { money: { as: string } }, direction: both }
  - { target: otPayRateCents, from: ot, transform: { money: { unit: cents } }, direction: both }
`,
  );

  it('reads floats and decimal text into exact cents', () => {
    expect(incoming(m, { payRate: 29.4, bill: '34.125', ot: 4410 }).values).toMatchObject({ payRateCents: 2940, billRateCents: 3413, otPayRateCents: 4410 });
  });

  it('writes back as a number or decimal text', () => {
    expect(vendor(m, { payRateCents: 2940, billRateCents: 2940, otPayRateCents: 4410 })).toEqual({ payRate: 29.4, bill: '29.40', ot: 4410 });
  });

  it('gives null for null and blank, and leaves an absent field out', () => {
    const r = incoming(m, { payRate: null, bill: '  ' });
    expect(r.values).toMatchObject({ payRateCents: null, billRateCents: null });
    expect('otPayRateCents' in r.values).toBe(false);
  });

  it('invalidates a record with a non-amount', () => {
    expect(incoming(m, { payRate: 'twenty' }).invalid).toBe('payRateCents (from payRate): "twenty" is not an amount');
  });

  it('belongs on …Cents fields only, and they need it', () => {
    expect(problems('requisition', '  - { target: openings, from: n, transform: { money: {} } }\n')).toEqual([
      'mappings/bullhorn/thing.yaml:6 fields[0].transform: money needs a …Cents target; openings is a whole number',
    ]);
    expect(problems('requisition', '  - { target: billRateCents, from: n, transform: { number: {} } }\n')).toEqual([
      'mappings/bullhorn/thing.yaml:6 fields[0].transform: billRateCents holds cents: use money, not number',
    ]);
  });
});

describe('number', () => {
  const m = mapping(
    'time_entry',
    `  - { target: assignmentId, from: p, transform: { ref: { entity: assignment } } }
  - { target: regularHours, from: hours, transform: { number: { as: string, decimals: 3 } }, direction: both }
  - { target: overtimeHours, from: ot, transform: { number: }, direction: both }
`,
    '',
  );
  const openings = mapping('requisition', '  - { target: openings, from: n, transform: { number: {} } }\n');

  it('reads decimal text', () => {
    expect(incoming(m, { hours: '40.000', ot: 2.5 }).values).toMatchObject({ regularHours: 40, overtimeHours: 2.5 });
  });

  it('writes back with fixed decimals when asked', () => {
    expect(vendor(m, { regularHours: 7.5, overtimeHours: 0.25 })).toEqual({ hours: '7.500', ot: 0.25 });
  });

  it('insists on whole numbers for integer fields', () => {
    expect(incoming(openings, { n: '2.5' }).invalid).toBe('openings (from n): "2.5" is not a whole number');
    expect(incoming(openings, { n: '3' }).values).toEqual({ openings: 3 });
  });
});

describe('enum', () => {
  const m = mapping(
    'assignment',
    `  - { target: candidateId, from: c, transform: { ref: { entity: candidate } } }
  - target: status
    from: status
    direction: both
    transform:
      enum:
        map: { Approved: active, Active: active, Completed: completed, 1: cancelled }
        reverse: { active: Approved, pending: Submitted }
        ignoreCase: true
`,
  );

  it('maps vendor values, ignoring case when asked, numbers by their text', () => {
    expect(incoming(m, { status: 'APPROVED' }).values['status']).toBe('active');
    expect(incoming(m, { status: 'completed' }).values['status']).toBe('completed');
    expect(incoming(m, { status: 1 }).values['status']).toBe('cancelled');
  });

  it('refuses unknown values without a default, naming the known ones', () => {
    expect(incoming(m, { status: 'Pending' }).invalid).toBe('status (from status): "Pending" is not a known value (expected "1", "Approved", "Active", "Completed")');
  });

  it('writes back through the explicit reverse, else the inverted map', () => {
    expect(vendor(m, { status: 'active' })).toEqual({ status: 'Approved' });
    expect(vendor(m, { status: 'pending' })).toEqual({ status: 'Submitted' });
    expect(vendor(m, { status: 'completed' })).toEqual({ status: 'Completed' });
    expect(m.toVendor({ status: 'terminated' }, noRefs)).toEqual({ ok: false, error: 'status: no vendor value for "terminated" (add it to reverse)' });
  });

  it('uses the default for unknown, null and blank values', () => {
    const d = mapping('assignment', `  - { target: candidateId, from: c, transform: { ref: { entity: candidate } } }
  - { target: status, from: s, transform: { enum: { map: { Approved: active }, default: pending } } }
`);
    expect(incoming(d, { s: 'Weird' }).values['status']).toBe('pending');
    expect(incoming(d, { s: null }).values['status']).toBe('pending');
    expect('status' in incoming(d, {}).values).toBe(false);
  });

  it('checks map, default and reverse values against the canonical enum', () => {
    expect(problems('assignment', `  - { target: candidateId, from: c, transform: { ref: { entity: candidate } } }
  - { target: status, from: s, direction: both, transform: { enum: { map: { A: active }, default: open, reverse: { done: D } } } }
`)).toEqual([
      'mappings/bullhorn/thing.yaml:7 fields[1].transform.enum.default: status cannot be "open"; it is one of pending, active, completed, terminated, cancelled',
      'mappings/bullhorn/thing.yaml:7 fields[1].transform.enum.reverse.done: status cannot be "done"; it is one of pending, active, completed, terminated, cancelled',
    ]);
  });

  it('allows null for nullable fields only', () => {
    expect(problems('candidate', `  - { target: firstName, from: f }
  - { target: employeeType, from: t, transform: { enum: { map: { W2: w2, None: ~ } } } }
  - { target: status, from: s, transform: { enum: { map: { None: ~ } } } }
`)).toEqual([
      'mappings/bullhorn/thing.yaml:8 fields[2].transform.enum.map.None: status cannot be null; it is one of active, placed, inactive',
    ]);
  });
});

describe('concat', () => {
  const m = mapping('candidate', `  - { target: firstName, transform: { concat: { from: [first, middle], separator: ' ' } } }
  - { target: lastName, from: last }
`);

  it('joins the parts that have a value', () => {
    expect(incoming(m, { first: 'Ana', middle: 'K', last: 'Ruiz' }).values['firstName']).toBe('Ana K');
    expect(incoming(m, { first: 'Ana', middle: null }).values['firstName']).toBe('Ana');
    expect(incoming(m, { first: '', middle: null }).values['firstName']).toBeNull();
    expect('firstName' in incoming(m, {}).values).toBe(false);
  });

  it('refuses parts that are not text', () => {
    expect(incoming(m, { first: { a: 1 } }).invalid).toBe('firstName (from first + middle): an object at first cannot be joined as text');
  });

  it('is inbound only: it never appears in a vendor body', () => {
    expect(vendor(m, { firstName: 'Ana K', lastName: 'Ruiz' })).toEqual({});
    expect(m.outboundFields()).toEqual([]);
  });
});

describe('default', () => {
  const m = mapping('invoice', `  - { target: clientId, from: c, transform: { ref: { entity: client } } }
  - { target: currency, transform: { default: USD } }
  - { target: status, from: s, transform: { default: draft }, direction: both }
  - { target: number, from: n, transform: { default: 7 } }
`);

  it('fills absent, null and blank values; a constant without from', () => {
    expect(incoming(m, {}).values).toMatchObject({ currency: 'USD', status: 'draft', number: '7' });
    expect(incoming(m, { s: 'paid', n: 'INV-9' }).values).toMatchObject({ status: 'paid', number: 'INV-9' });
    expect(incoming(m, { s: null }).values['status']).toBe('draft');
  });

  it('passes through outbound, and a constant does not go out', () => {
    expect(vendor(m, { status: 'paid', currency: 'USD' })).toEqual({ s: 'paid' });
  });

  it('checks the value against the target', () => {
    expect(problems('invoice', '  - { target: status, from: s, transform: { default: unpaid } }\n')).toEqual([
      'mappings/bullhorn/thing.yaml:6 fields[0].transform.default: "unpaid" is not one of draft, issued, paid, void, which status needs',
    ]);
    expect(problems('invoice', '  - { target: issueDate, from: s, transform: { default: soon } }\n')).toEqual([
      'mappings/bullhorn/thing.yaml:6 fields[0].transform.default: "soon" is not a date, which issueDate needs',
    ]);
  });
});

describe('ref', () => {
  const m = mapping('assignment', `  - { target: candidateId, from: candidate.id, transform: { ref: { entity: candidate, as: number } }, direction: both }
  - { target: approverContactId, from: approver.id, transform: { ref: { entity: contact } }, direction: both }
  - { target: requisitionId, from: portalReq, transform: { ref: { entity: requisition, system: portal } }, direction: both }
  - { target: worksiteId, from: gustoLocation, transform: { ref: { entity: worksite, system: gusto } } }
`);

  it('reads vendor ids as references in the mapping system, or another named one', () => {
    expect(incoming(m, { candidate: { id: 48213 }, approver: { id: '15522' }, portalReq: 'req-1', gustoLocation: 'loc-9' }).values).toEqual({
      candidateId: { ref: { system: 'bullhorn', externalId: '48213' } },
      approverContactId: { ref: { system: 'bullhorn', externalId: '15522' } },
      requisitionId: 'req-1',
      worksiteId: { ref: { system: 'gusto', externalId: 'loc-9' } },
    });
  });

  it('resolves canonical ids to the system id on the way out, Bullhorn style', () => {
    const asked: string[] = [];
    const resolve: RefResolver = (entity, id, system) => {
      asked.push(`${entity}/${id}@${system}`);
      return entity === 'candidate' ? '48213' : 'c-7';
    };
    expect(vendor(m, { candidateId: 'cand-1', approverContactId: 'con-1', requisitionId: 'req-1' }, resolve)).toEqual({
      candidate: { id: 48213 },
      approver: { id: 'c-7' },
      portalReq: 'req-1',
    });
    expect(asked).toEqual(['candidate/cand-1@bullhorn', 'contact/con-1@bullhorn']);
  });

  it('fails the body when a referenced record has no id there yet', () => {
    expect(m.toVendor({ candidateId: 'cand-1' }, noRefs)).toEqual({ ok: false, error: 'candidateId: candidate cand-1 has no bullhorn id yet' });
    expect(m.toVendor({ candidateId: 'cand-1' }, () => 'ABC')).toEqual({ ok: false, error: 'candidateId: bullhorn id "ABC" is not a number' });
  });

  it('refuses objects as ids', () => {
    expect(incoming(m, { candidate: { id: { x: 1 } } }).invalid).toBe('candidateId (from candidate.id): an object is not an id');
  });

  it('checks the system names it uses', () => {
    expect(problems('assignment', '  - { target: candidateId, from: c, transform: { ref: { entity: candidate, system: adp } } }\n')).toEqual([
      'mappings/bullhorn/thing.yaml:6 fields[0].transform.ref.system: unknown system "adp" (portal, or one of: bullhorn, gusto)',
    ]);
  });
});

describe('pass-through', () => {
  const m = mapping('requisition', `  - { target: clientId, from: c, transform: { ref: { entity: client } } }
  - { target: title, from: title, direction: both }
  - { target: openings, from: n, direction: both }
  - { target: startDate, from: start }
  - { target: status, from: status }
`);

  it('takes scalars of the right type, numbers into text', () => {
    expect(incoming(m, { title: 4410, n: 2, start: '2025-07-07', status: 'open' }).values).toMatchObject({ title: '4410', openings: 2, startDate: '2025-07-07', status: 'open' });
  });

  it('refuses objects, lists, booleans, wrong enum words and non-dates, all in one reason', () => {
    const r = incoming(m, { title: { a: 1 }, n: true, start: '07/07/2025', status: 'Open' });
    expect(r.invalid).toBe([
      'title (from title): an object is not text',
      'openings (from n): true is not a whole number',
      'startDate (from start): "07/07/2025" is not a date',
      'status (from status): "Open" is not one of draft, open, on_hold, filled, closed, cancelled',
    ].join('; '));
  });

  it('writes values back as they are', () => {
    expect(vendor(m, { title: 'Forklift', openings: 3 })).toEqual({ title: 'Forklift', n: 3 });
  });

  it('is limited to the fields asked for', () => {
    expect(m.toVendor({ title: 'Forklift', openings: 3 }, noRefs, ['openings'])).toEqual({ ok: true, body: { n: 3 } });
  });
});
