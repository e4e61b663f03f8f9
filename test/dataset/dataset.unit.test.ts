import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  COUNTED_ENTITY, countDataset, type Dataset, datasetCounts, DEFAULT_AS_OF, DEFAULT_WEEKS, generateDataset, Rng, sampleDataset,
  type TimeEntryRecord,
} from '../../fixtures/dataset/index.ts';
import { ENTITY_NAMES } from '../../src/model/index.ts';
import { datasetProblems } from './invariants.ts';

/** Every byte the dataset produces, arrays and lazy parts alike, in a stable order. */
function digest(ds: Dataset): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({
    seed: ds.seed, scale: ds.scale, clients: ds.clients, worksites: ds.worksites, contacts: ds.contacts, contactRoles: ds.contactRoles,
    requisitions: ds.requisitions, candidates: ds.candidates, submissions: ds.submissions, assignments: ds.assignments,
    assignmentRates: ds.assignmentRates,
  }));
  for (const entry of ds.timeEntries()) hash.update(JSON.stringify(entry));
  for (const invoice of ds.invoices()) hash.update(JSON.stringify(invoice));
  return hash.digest('hex');
}

function entriesOf(ds: Dataset): TimeEntryRecord[] {
  return [...ds.timeEntries()];
}

const full = generateDataset();

describe('generateDataset at scale 1', () => {
  it('holds every invariant, and every record passes its canonical schema', () => {
    expect(datasetProblems(full, { asOf: DEFAULT_AS_OF, weeks: DEFAULT_WEEKS, schemas: true })).toEqual([]);
  });

  it('has the size the brief asks for: about 40 clients, 1,500 assignments, 1.3× candidates', () => {
    expect(full.clients).toHaveLength(40);
    expect(full.assignments).toHaveLength(1500);
    expect(full.candidates).toHaveLength(1950);
    const sitesPerClient = new Map<string, number>();
    for (const w of full.worksites) sitesPerClient.set(w.clientId, (sitesPerClient.get(w.clientId) ?? 0) + 1);
    const contactsPerClient = new Map<string, number>();
    for (const c of full.contacts) contactsPerClient.set(c.clientId, (contactsPerClient.get(c.clientId) ?? 0) + 1);
    for (const client of full.clients) {
      expect(sitesPerClient.get(client.key)).toBeGreaterThanOrEqual(1);
      expect(sitesPerClient.get(client.key)).toBeLessThanOrEqual(5);
      expect(contactsPerClient.get(client.key)).toBeGreaterThanOrEqual(3);
      expect(contactsPerClient.get(client.key)).toBeLessThanOrEqual(8);
    }
  });

  it('mixes assignment statuses, mostly active', () => {
    const byStatus = new Map<string, number>();
    for (const a of full.assignments) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
    expect(byStatus.get('active') ?? 0).toBeGreaterThan(0.6 * full.assignments.length);
    for (const status of ['completed', 'pending', 'terminated']) expect(byStatus.get(status) ?? 0).toBeGreaterThan(15);
  });

  it('gives every assignment a starting rate, about a fifth a raise and a few a second one', () => {
    const perAssignment = new Map<string, number>();
    for (const r of full.assignmentRates) perAssignment.set(r.assignmentId, (perAssignment.get(r.assignmentId) ?? 0) + 1);
    expect(perAssignment.size).toBe(full.assignments.length);
    const raised = [...perAssignment.values()].filter((n) => n >= 2).length / full.assignments.length;
    expect(raised).toBeGreaterThan(0.15);
    expect(raised).toBeLessThan(0.28);
    const third = [...perAssignment.values()].filter((n) => n === 3).length;
    expect(third).toBeGreaterThan(5);
    expect(third).toBeLessThan(0.06 * full.assignments.length);
    expect(Math.max(...perAssignment.values())).toBe(3);
  });

  it('logs mostly 8-hour days, with some overtime, occasional double time, never more than 24 hours', () => {
    const entries = entriesOf(full);
    const eight = entries.filter((t) => t.regularHours === 8).length;
    const overtime = entries.filter((t) => t.overtimeHours > 0).length;
    const doubleTime = entries.filter((t) => t.doubleTimeHours > 0).length;
    expect(eight / entries.length).toBeGreaterThan(0.6);
    expect(overtime / entries.length).toBeGreaterThan(0.03);
    expect(overtime / entries.length).toBeLessThan(0.25);
    expect(doubleTime).toBeGreaterThan(0);
    expect(doubleTime).toBeLessThan(overtime);
    expect(Math.max(...entries.map((t) => t.regularHours + t.overtimeHours + t.doubleTimeHours))).toBeLessThanOrEqual(24);
  });

  it('ages time statuses: older weeks invoiced, the last week draft or submitted, a few rejected', () => {
    const byWeek = new Map<string, Map<string, number>>();
    for (const t of full.timeEntries()) {
      const monday = new Date(Date.parse(`${t.workDate}T00:00:00Z`) - ((new Date(`${t.workDate}T00:00:00Z`).getUTCDay() + 6) % 7) * 86_400_000)
        .toISOString().slice(0, 10);
      const statuses = byWeek.get(monday) ?? new Map<string, number>();
      statuses.set(t.status, (statuses.get(t.status) ?? 0) + 1);
      byWeek.set(monday, statuses);
    }
    expect([...byWeek.keys()].sort()).toEqual(['2026-11-02', '2026-11-09', '2026-11-16']);
    const oldest = byWeek.get('2026-11-02');
    const current = byWeek.get('2026-11-16');
    expect((oldest?.get('invoiced') ?? 0)).toBeGreaterThan(0.8 * [...(oldest?.values() ?? [])].reduce((a, b) => a + b, 0));
    expect([...(current?.keys() ?? [])].sort()).toEqual(['draft', 'rejected', 'submitted']);
    const rejected = [...byWeek.values()].reduce((n, m) => n + (m.get('rejected') ?? 0), 0);
    expect(rejected).toBeGreaterThan(0);
  });

  it('bills each client once per week of invoiced time, with unique numbers', () => {
    const invoices = [...full.invoices()];
    expect(invoices.length).toBeGreaterThan(20);
    const perClientWeek = new Set(invoices.map((i) => `${i.clientId}|${i.periodStart}`));
    expect(perClientWeek.size).toBe(invoices.length);
    expect(invoices[0]?.number).toBe('INV-2026-000001');
    expect(new Set(invoices.map((i) => i.number)).size).toBe(invoices.length);
    expect(invoices.every((i) => i.totalCents === i.lines.reduce((sum, l) => sum + l.amountCents, 0))).toBe(true);
    expect(new Set(invoices.flatMap((i) => i.lines.map((l) => l.kind)))).toEqual(new Set(['regular', 'overtime', 'doubletime']));
  });

  it('names people with accents, Vietnamese diacritics, ø, ß, apostrophes and hyphens, and folds them into ASCII emails', () => {
    const names = full.candidates.map((c) => `${c.firstName} ${c.lastName}`);
    for (const needle of ['José', 'Zoë', 'Nguyễn', 'Søren', "O'Brien-Nuñez", 'ß']) expect(names.some((n) => n.includes(needle))).toBe(true);
    const nonAscii = names.filter((n) => /[^\u0020-\u007e]/.test(n)).length;
    expect(nonAscii / names.length).toBeGreaterThan(0.15);
    expect(names.some((n) => /'/.test(n)) && names.some((n) => /\p{L}-\p{L}/u.test(n))).toBe(true);
    expect(full.candidates.every((c) => c.email === null || /^[\x20-\x7e]+$/.test(c.email))).toBe(true);
    expect(names.every((n) => n === n.normalize('NFC'))).toBe(true);
  });

  it('is re-iterable: each call of timeEntries() starts over and yields the same entries', () => {
    const first = full.timeEntries();
    const a = first.next();
    const second = full.timeEntries();
    const b = second.next();
    expect(a.value).toEqual(b.value);
    expect(entriesOf(full)).toHaveLength(datasetCounts().timeEntries);
  });
});

describe('determinism', () => {
  it('gives byte-identical output for the same seed and options', () => {
    expect(digest(generateDataset())).toBe(digest(full));
  });

  it('gives different data for a different seed, asOf or number of weeks', () => {
    const base = digest(sampleDataset());
    expect(digest(sampleDataset({ seed: 7 }))).not.toBe(base);
    expect(digest(sampleDataset({ asOf: '2026-12-07' }))).not.toBe(base);
    expect(digest(sampleDataset({ weeks: 4 }))).not.toBe(base);
    const other = generateDataset({ seed: 7 });
    expect(other.clients.map((c) => c.name)).not.toEqual(full.clients.map((c) => c.name));
  });

  it('depends only on its options: seeds above 2^32 differ from their low 32 bits', () => {
    expect(digest(sampleDataset({ seed: 2 ** 32 + 5 }))).not.toBe(digest(sampleDataset({ seed: 5 })));
  });
});

describe('datasetCounts', () => {
  const actual = (ds: Dataset) => {
    let invoices = 0;
    let invoiceLines = 0;
    for (const invoice of ds.invoices()) {
      invoices++;
      invoiceLines += invoice.lines.length;
    }
    return {
      clients: ds.clients.length, worksites: ds.worksites.length, contacts: ds.contacts.length, contactRoles: ds.contactRoles.length,
      requisitions: ds.requisitions.length, candidates: ds.candidates.length, submissions: ds.submissions.length,
      assignments: ds.assignments.length, assignmentRates: ds.assignmentRates.length, timeEntries: entriesOf(ds).length, invoices, invoiceLines,
    };
  };

  it('equals what the dataset actually yields, at scale 1 and for other options', () => {
    expect(datasetCounts()).toEqual(actual(full));
    const options = { seed: 99, scale: 0.2, weeks: 6, asOf: '2027-01-03' };
    expect(datasetCounts(options)).toEqual(actual(generateDataset(options)));
  });

  it('counts a dataset in hand the same way, generated or not', () => {
    expect(countDataset(full)).toEqual(datasetCounts());
    // A hand-made Dataset (an emulator's filtered copy) is counted by reading it.
    const copy: Dataset = { ...full, timeEntries: () => full.timeEntries(), invoices: () => full.invoices() };
    expect(countDataset(copy)).toEqual(datasetCounts());
  });

  it('names a canonical entity for every count', () => {
    for (const entity of Object.values(COUNTED_ENTITY)) expect(ENTITY_NAMES).toContain(entity);
    expect(Object.keys(COUNTED_ENTITY).sort()).toEqual(Object.keys(datasetCounts({ scale: 0.05 })).sort());
  });
});

describe('small and unusual datasets keep every invariant', () => {
  const cases = [
    { name: 'sampleDataset()', options: {}, make: () => sampleDataset() },
    { name: 'one client, one week', options: { scale: 0.02, weeks: 1 }, make: () => generateDataset({ scale: 0.02, weeks: 1 }) },
    { name: 'no time window', options: { scale: 0.05, weeks: 0 }, make: () => generateDataset({ scale: 0.05, weeks: 0 }) },
    {
      name: 'eight weeks across a new year, asOf on a Sunday',
      options: { seed: 3, scale: 0.3, weeks: 8, asOf: '2027-01-24' },
      make: () => generateDataset({ seed: 3, scale: 0.3, weeks: 8, asOf: '2027-01-24' }),
    },
  ];
  for (const { name, options, make } of cases) {
    it(name, () => {
      const ds = make();
      expect(datasetProblems(ds, { asOf: options.asOf ?? DEFAULT_AS_OF, weeks: options.weeks ?? DEFAULT_WEEKS, schemas: true })).toEqual([]);
    });
  }

  it('the sample is small but has every kind of record, including invoiced time and non-ASCII names', () => {
    const sample = sampleDataset();
    const counts = countDataset(sample);
    expect(counts.clients).toBe(4);
    expect(counts.assignments).toBe(150);
    for (const [kind, n] of Object.entries(counts)) expect(n, kind).toBeGreaterThan(0);
    expect(sample.candidates.some((c) => /[^\u0020-\u007e]/.test(c.firstName + c.lastName))).toBe(true);
  });

  it('crosses a new year with invoice numbers that stay unique', () => {
    const ds = generateDataset({ seed: 3, scale: 0.3, weeks: 8, asOf: '2027-01-24' });
    const numbers = [...ds.invoices()].map((i) => i.number);
    expect(numbers.some((n) => n.startsWith('INV-2026-')) && numbers.some((n) => n.startsWith('INV-2027-'))).toBe(true);
    expect(new Set(numbers).size).toBe(numbers.length);
  });
});

describe('the invariant checker catches broken data', () => {
  // Each case corrupts one record of a valid sample: if the checker stayed silent, the tests above would prove nothing.
  const sample = sampleDataset();
  const check = (ds: Dataset) => datasetProblems(ds, { asOf: DEFAULT_AS_OF, weeks: DEFAULT_WEEKS, schemas: true });
  const withAssignment = (patch: (a: Dataset['assignments'][number]) => Dataset['assignments'][number]): Dataset => ({
    ...sample,
    assignments: sample.assignments.map((a, i) => (i === 0 ? patch(a) : a)),
  });

  it('an approver without the approver role at the worksite', () => {
    const first = sample.assignments[0];
    const outsider = sample.contacts.find((c) => !sample.contactRoles.some((r) => r.contactId === c.key && r.worksiteId === first?.worksiteId && r.role === 'approver'));
    expect(outsider).toBeDefined();
    const problems = check(withAssignment((a) => ({ ...a, approverContactId: outsider?.key ?? null })));
    expect(problems.some((p) => p.includes('is not an approver'))).toBe(true);
  });

  it('a worksite of another client', () => {
    const first = sample.assignments[0];
    const foreign = sample.worksites.find((w) => w.clientId !== sample.worksites.find((s) => s.key === first?.worksiteId)?.clientId);
    const problems = check(withAssignment((a) => ({ ...a, worksiteId: foreign?.key ?? null })));
    expect(problems.some((p) => p.includes("worksite is not the requisition client's"))).toBe(true);
  });

  it('a time entry over 24 hours and an invoice whose total is off', () => {
    const broken: Dataset = {
      ...sample,
      timeEntries: function* () {
        let first = true;
        for (const t of sample.timeEntries()) {
          yield first ? { ...t, overtimeHours: 20 } : t;
          first = false;
        }
      },
      invoices: function* () {
        for (const inv of sample.invoices()) yield { ...inv, totalCents: inv.totalCents + 1 };
      },
    };
    const problems = check(broken);
    expect(problems.some((p) => p.includes('more than 24 hours') || p.includes('hours'))).toBe(true);
    expect(problems.some((p) => p.includes('≠ sum of lines'))).toBe(true);
  });

  it('a reference to a record that does not exist, and a record the schema refuses', () => {
    const broken: Dataset = {
      ...sample,
      submissions: sample.submissions.map((s, i) => (i === 0 ? { ...s, candidateId: 'cand-missing' } : s)),
      candidates: sample.candidates.map((c, i) => (i === 0 ? { ...c, state: 'Ohio' } : c)),
    };
    const problems = check(broken);
    expect(problems.some((p) => p.includes('unknown candidate or requisition'))).toBe(true);
    expect(problems.some((p) => p.startsWith('candidate cand-000001:'))).toBe(true);
  });
});

describe('options', () => {
  it('refuses options it cannot honour, with a reason', () => {
    expect(() => generateDataset({ scale: 0 })).toThrow(/scale/);
    expect(() => generateDataset({ scale: Number.NaN })).toThrow(/scale/);
    expect(() => generateDataset({ weeks: 1.5 })).toThrow(/weeks/);
    expect(() => generateDataset({ asOf: '2026-02-30' })).toThrow(/calendar date/);
    expect(() => generateDataset({ asOf: '23/11/2026' })).toThrow(/ISO date/);
    expect(() => generateDataset({ seed: 0.5 })).toThrow(/seed/);
  });

  it('reports its seed and scale', () => {
    const ds = generateDataset({ seed: 42, scale: 0.05 });
    expect([ds.seed, ds.scale]).toEqual([42, 0.05]);
  });
});

describe('Rng', () => {
  it('repeats for the same seed and salt, and differs otherwise', () => {
    const draw = (rng: Rng) => Array.from({ length: 5 }, () => rng.u32());
    expect(draw(Rng.for(1, 2))).toEqual(draw(Rng.for(1, 2)));
    expect(draw(Rng.for(1, 2))).not.toEqual(draw(Rng.for(1, 3)));
    expect(draw(Rng.for(1))).not.toEqual(draw(Rng.for(2)));
  });

  it('draws integers inside the range, each value about equally often', () => {
    const rng = Rng.for(2026);
    const seen = new Array<number>(10).fill(0);
    for (let i = 0; i < 20_000; i++) {
      const n = rng.int(0, 9);
      seen[n] = (seen[n] ?? 0) + 1;
    }
    expect(seen.every((n) => n > 1_800 && n < 2_200)).toBe(true);
    expect(() => rng.int(3, 2)).toThrow(RangeError);
    expect(() => rng.pick([])).toThrow(RangeError);
  });

  it('samples distinct items and never picks a zero weight', () => {
    const rng = Rng.for(5);
    for (let i = 0; i < 200; i++) {
      const sample = rng.sample([1, 2, 3, 4, 5], 3);
      expect(new Set(sample).size).toBe(3);
      expect(rng.weighted([['never', 0], ['always', 1]] as const)).toBe('always');
      expect(rng.weighted([['always', 1], ['never', 0]] as const)).toBe('always');
    }
    expect(() => rng.weighted([['never', 0]] as const)).toThrow(RangeError);
  });
});
