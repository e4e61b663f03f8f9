import type { z } from 'zod';
import {
  Assignment, AssignmentRate, Candidate, Client, Contact, ContactWorksiteRole, Invoice, InvoiceLine, Requisition, Submission,
  TimeEntry, Worksite,
} from '../../src/model/index.ts';
import type { AssignmentRateRecord, Dataset, TimeEntryRecord } from '../../fixtures/dataset/index.ts';

/**
 * Every rule the generated dataset promises, checked from the outside: the tables here (states,
 * time zones, ZIP prefixes) are written independently of the generator's own. Returns a list of
 * problems, empty when the dataset holds; tests assert on the list so a failure says what broke.
 */

/** IANA zones in use in each state (DC included); the generator must pick from these. */
const ZONES_BY_STATE: Readonly<Record<string, readonly string[]>> = {
  AL: ['America/Chicago'], AK: ['America/Anchorage', 'America/Juneau', 'America/Sitka', 'America/Nome', 'America/Yakutat', 'America/Metlakatla', 'America/Adak'],
  AZ: ['America/Phoenix', 'America/Denver'], AR: ['America/Chicago'], CA: ['America/Los_Angeles'], CO: ['America/Denver'],
  CT: ['America/New_York'], DE: ['America/New_York'], DC: ['America/New_York'], FL: ['America/New_York', 'America/Chicago'],
  GA: ['America/New_York'], HI: ['Pacific/Honolulu'], ID: ['America/Boise', 'America/Los_Angeles'], IL: ['America/Chicago'],
  IN: ['America/Indiana/Indianapolis', 'America/Indiana/Knox', 'America/Indiana/Marengo', 'America/Indiana/Petersburg',
    'America/Indiana/Tell_City', 'America/Indiana/Vevay', 'America/Indiana/Vincennes', 'America/Indiana/Winamac', 'America/Chicago'],
  IA: ['America/Chicago'], KS: ['America/Chicago', 'America/Denver'],
  KY: ['America/New_York', 'America/Kentucky/Louisville', 'America/Kentucky/Monticello', 'America/Chicago'],
  LA: ['America/Chicago'], ME: ['America/New_York'], MD: ['America/New_York'], MA: ['America/New_York'],
  MI: ['America/Detroit', 'America/Menominee'], MN: ['America/Chicago'], MS: ['America/Chicago'], MO: ['America/Chicago'],
  MT: ['America/Denver'], NE: ['America/Chicago', 'America/Denver'], NV: ['America/Los_Angeles'], NH: ['America/New_York'],
  NJ: ['America/New_York'], NM: ['America/Denver'], NY: ['America/New_York'], NC: ['America/New_York'],
  ND: ['America/Chicago', 'America/North_Dakota/Center', 'America/North_Dakota/New_Salem', 'America/North_Dakota/Beulah', 'America/Denver'],
  OH: ['America/New_York'], OK: ['America/Chicago'], OR: ['America/Los_Angeles', 'America/Boise'], PA: ['America/New_York'],
  RI: ['America/New_York'], SC: ['America/New_York'], SD: ['America/Chicago', 'America/Denver'],
  TN: ['America/Chicago', 'America/New_York'], TX: ['America/Chicago', 'America/Denver'], UT: ['America/Denver'],
  VT: ['America/New_York'], VA: ['America/New_York'], WA: ['America/Los_Angeles'], WV: ['America/New_York'],
  WI: ['America/Chicago'], WY: ['America/Denver'],
};

/** First digit of a ZIP code by state (USPS national areas). */
const ZIP_AREA: Readonly<Record<string, string>> = {
  CT: '0', MA: '0', ME: '0', NH: '0', NJ: '0', RI: '0', VT: '0', DE: '1', NY: '1', PA: '1', DC: '2', MD: '2', NC: '2',
  SC: '2', VA: '2', WV: '2', AL: '3', FL: '3', GA: '3', MS: '3', TN: '3', IN: '4', KY: '4', MI: '4', OH: '4', IA: '5',
  MN: '5', MT: '5', ND: '5', SD: '5', WI: '5', IL: '6', KS: '6', MO: '6', NE: '6', AR: '7', LA: '7', OK: '7', TX: '7',
  AZ: '8', CO: '8', ID: '8', NM: '8', NV: '8', UT: '8', WY: '8', AK: '9', CA: '9', HI: '9', OR: '9', WA: '9',
};

const FICTIONAL_PHONE = /^\(\d{3}\) 555-01\d{2}$/;
const EXAMPLE_EMAIL = /^[a-z0-9._'+-]+@([a-z0-9-]+\.)*(example\.(com|net|org)|[a-z0-9-]+\.example)$/;
const INVOICE_NUMBER = /^INV-\d{4}-\d{6,}$/;

const DAY_MS = 86_400_000;
const dayOf = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
/** 0 = Sunday. */
const weekdayOf = (iso: string): number => new Date(`${iso}T00:00:00Z`).getUTCDay();

type Keyless<T> = Omit<T, 'key'>;
function strip<T extends { key: string }>(record: T): Keyless<T> {
  const { key: _key, ...rest } = record;
  return rest;
}

export interface InvariantOptions {
  /** The dataset's `asOf`, to check the time window and statuses by age. */
  readonly asOf: string;
  readonly weeks: number;
  /** Validate every record with its zod schema (slower; on for the main datasets). */
  readonly schemas?: boolean;
}

export function datasetProblems(ds: Dataset, opts: InvariantOptions): string[] {
  const problems: string[] = [];
  const fail = (message: string): void => {
    // A broken rule usually breaks on thousands of records: the first few say enough.
    if (problems.length < 50) problems.push(message);
  };
  const check = <S extends z.ZodType>(schema: S, kind: string, record: { key: string }, value: unknown): void => {
    if (opts.schemas !== true) return;
    const result = schema.safeParse(value);
    if (!result.success) fail(`${kind} ${record.key}: ${result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  };
  const unique = (kind: string, list: ReadonlyArray<{ key: string }>): Map<string, number> => {
    const index = new Map<string, number>();
    list.forEach((r, i) => {
      if (index.has(r.key)) fail(`${kind} key ${r.key} is not unique`);
      index.set(r.key, i);
    });
    return index;
  };

  const clients = new Map(ds.clients.map((c) => [c.key, c]));
  const worksites = new Map(ds.worksites.map((w) => [w.key, w]));
  const contacts = new Map(ds.contacts.map((c) => [c.key, c]));
  const requisitions = new Map(ds.requisitions.map((r) => [r.key, r]));
  const candidates = new Map(ds.candidates.map((c) => [c.key, c]));
  const assignments = new Map(ds.assignments.map((a) => [a.key, a]));
  for (const [kind, list] of Object.entries({
    clients: ds.clients, worksites: ds.worksites, contacts: ds.contacts, contactRoles: ds.contactRoles, requisitions: ds.requisitions,
    candidates: ds.candidates, submissions: ds.submissions, assignments: ds.assignments, assignmentRates: ds.assignmentRates,
  })) unique(kind, list);

  const place = (kind: string, key: string, state: string | null, zip: string | null, zone?: string | null): void => {
    if (state === null || ZONES_BY_STATE[state] === undefined) fail(`${kind} ${key}: state ${state} is not a US state`);
    else if (zip === null || !/^\d{5}$/.test(zip) || zip[0] !== ZIP_AREA[state]) fail(`${kind} ${key}: ZIP ${zip} does not fit ${state}`);
    if (zone !== undefined && (zone === null || state === null || !(ZONES_BY_STATE[state] ?? []).includes(zone))) {
      fail(`${kind} ${key}: time zone ${zone} does not fit ${state}`);
    }
  };
  const phone = (kind: string, key: string, value: string | null): void => {
    if (value !== null && !FICTIONAL_PHONE.test(value)) fail(`${kind} ${key}: phone ${value} is not a 555-01xx number`);
  };
  const emails = new Set<string>();
  const email = (kind: string, key: string, value: string | null): void => {
    if (value === null) return;
    if (!EXAMPLE_EMAIL.test(value)) fail(`${kind} ${key}: email ${value} is not lowercase on an example domain`);
    if (emails.has(value)) fail(`${kind} ${key}: email ${value} is used twice`);
    emails.add(value);
  };

  for (const c of ds.clients) {
    check(Client, 'client', c, strip(c));
    place('client', c.key, c.state, c.postalCode);
    phone('client', c.key, c.phone);
  }
  for (const w of ds.worksites) {
    check(Worksite, 'worksite', w, strip(w));
    if (!clients.has(w.clientId)) fail(`worksite ${w.key}: unknown client ${w.clientId}`);
    place('worksite', w.key, w.state, w.postalCode, w.timeZone);
  }
  for (const c of ds.contacts) {
    check(Contact, 'contact', c, strip(c));
    if (!clients.has(c.clientId)) fail(`contact ${c.key}: unknown client ${c.clientId}`);
    phone('contact', c.key, c.phone);
    email('contact', c.key, c.email);
  }

  // worksite → role → contacts holding it
  const rolesAt = new Map<string, Map<string, Set<string>>>();
  const rolePairs = new Set<string>();
  for (const r of ds.contactRoles) {
    check(ContactWorksiteRole, 'contact role', r, strip(r));
    const contact = contacts.get(r.contactId);
    const site = worksites.get(r.worksiteId);
    if (contact === undefined || site === undefined) {
      fail(`contact role ${r.key}: unknown contact or worksite`);
      continue;
    }
    if (contact.clientId !== site.clientId) fail(`contact role ${r.key}: contact of ${contact.clientId} holds a role at ${site.clientId}'s worksite`);
    const pair = `${r.contactId}|${r.worksiteId}|${r.role}`;
    if (rolePairs.has(pair)) fail(`contact role ${r.key}: duplicate ${pair}`);
    rolePairs.add(pair);
    const byRole = rolesAt.get(r.worksiteId) ?? new Map<string, Set<string>>();
    const holders = byRole.get(r.role) ?? new Set<string>();
    holders.add(r.contactId);
    byRole.set(r.role, holders);
    rolesAt.set(r.worksiteId, byRole);
  }
  const holds = (contactKey: string | null, worksiteKey: string | null, role: string): boolean =>
    contactKey !== null && worksiteKey !== null && (rolesAt.get(worksiteKey)?.get(role)?.has(contactKey) ?? false);
  for (const w of ds.worksites) {
    for (const role of ['approver', 'requester', 'billing']) {
      const holders = rolesAt.get(w.key)?.get(role);
      if (holders === undefined || holders.size === 0) fail(`worksite ${w.key} has no ${role}`);
    }
  }

  for (const r of ds.requisitions) {
    check(Requisition, 'requisition', r, strip(r));
    if (!clients.has(r.clientId)) fail(`requisition ${r.key}: unknown client`);
    const site = r.worksiteId === null ? undefined : worksites.get(r.worksiteId);
    if (site === undefined) fail(`requisition ${r.key}: unknown worksite ${r.worksiteId}`);
    else if (site.clientId !== r.clientId) fail(`requisition ${r.key}: worksite ${site.key} belongs to another client`);
    if (!holds(r.requestedById, r.worksiteId, 'requester')) fail(`requisition ${r.key}: ${r.requestedById} is not a requester at ${r.worksiteId}`);
  }
  for (const c of ds.candidates) {
    check(Candidate, 'candidate', c, strip(c));
    if (c.state !== null && ZONES_BY_STATE[c.state] === undefined) fail(`candidate ${c.key}: state ${c.state}`);
    phone('candidate', c.key, c.phone);
    email('candidate', c.key, c.email);
  }
  const submitted = new Set<string>();
  for (const s of ds.submissions) {
    check(Submission, 'submission', s, strip(s));
    if (!candidates.has(s.candidateId) || !requisitions.has(s.requisitionId)) fail(`submission ${s.key}: unknown candidate or requisition`);
    const pair = `${s.candidateId}|${s.requisitionId}`;
    if (submitted.has(pair)) fail(`submission ${s.key}: ${pair} submitted twice`);
    submitted.add(pair);
  }

  const activeAssignments = new Set<string>();
  for (const a of ds.assignments) {
    check(Assignment, 'assignment', a, strip(a));
    if (!candidates.has(a.candidateId)) fail(`assignment ${a.key}: unknown candidate`);
    const requisition = a.requisitionId === null ? undefined : requisitions.get(a.requisitionId);
    const site = a.worksiteId === null ? undefined : worksites.get(a.worksiteId);
    if (requisition === undefined || site === undefined) {
      fail(`assignment ${a.key}: unknown requisition or worksite`);
      continue;
    }
    if (site.clientId !== requisition.clientId) fail(`assignment ${a.key}: worksite is not the requisition client's`);
    if (!holds(a.approverContactId, a.worksiteId, 'approver')) fail(`assignment ${a.key}: ${a.approverContactId} is not an approver at ${a.worksiteId}`);
    if (a.status === 'active') activeAssignments.add(a.key);
    if (a.status === 'active' && a.startDate > opts.asOf) fail(`assignment ${a.key}: active but starts after asOf`);
    if (a.status === 'pending' && a.startDate <= opts.asOf) fail(`assignment ${a.key}: pending but already started`);
    if ((a.status === 'completed' || a.status === 'terminated') && (a.endDate === null || a.endDate >= opts.asOf)) {
      fail(`assignment ${a.key}: ${a.status} without a past end date`);
    }
  }

  // assignment → rate rows, ordered by effective date
  const ratesOf = new Map<string, AssignmentRateRecord[]>();
  for (const r of ds.assignmentRates) {
    check(AssignmentRate, 'assignment rate', r, strip(r));
    const list = ratesOf.get(r.assignmentId) ?? [];
    list.push(r);
    ratesOf.set(r.assignmentId, list);
    const tolerance = 0.5 / r.payRateCents;
    const markup = r.billRateCents / r.payRateCents;
    if (markup < 1.25 - tolerance || markup > 1.65 + tolerance) fail(`rate ${r.key}: markup ${markup.toFixed(3)} outside 1.25–1.65`);
    if (r.otPayRateCents !== Math.round(r.payRateCents * 1.5) || r.otBillRateCents !== Math.round(r.billRateCents * 1.5)) fail(`rate ${r.key}: OT is not 1.5×`);
    if (r.dtPayRateCents !== r.payRateCents * 2 || r.dtBillRateCents !== r.billRateCents * 2) fail(`rate ${r.key}: DT is not 2×`);
    if (r.payRateCents < 1500 || r.payRateCents > 12_000) fail(`rate ${r.key}: pay ${r.payRateCents} is not a believable hourly rate`);
    if (!assignments.has(r.assignmentId)) fail(`rate ${r.key}: unknown assignment`);
  }
  for (const a of ds.assignments) {
    const list = ratesOf.get(a.key);
    if (list === undefined) fail(`assignment ${a.key}: no rate`);
    else {
      list.sort((x, y) => x.effectiveFrom.localeCompare(y.effectiveFrom));
      if (list[0]?.effectiveFrom !== a.startDate) fail(`assignment ${a.key}: first rate is not from the start date`);
      if (new Set(list.map((r) => r.effectiveFrom)).size !== list.length) fail(`assignment ${a.key}: two rates on one day`);
    }
  }
  const rateOn = (assignmentKey: string, workDate: string): AssignmentRateRecord | undefined => {
    let found: AssignmentRateRecord | undefined;
    for (const r of ratesOf.get(assignmentKey) ?? []) if (r.effectiveFrom <= workDate) found = r;
    return found;
  };

  // The window: `weeks` Monday–Sunday weeks ending on the last Sunday before asOf.
  const asOfDay = dayOf(opts.asOf);
  const back = weekdayOf(opts.asOf);
  const windowEnd = asOfDay - (back === 0 ? 7 : back);
  const windowStart = windowEnd - 7 * opts.weeks + 1;
  const entries = new Map<string, TimeEntryRecord>();
  const entryKeys = new Set<string>();
  for (const t of ds.timeEntries()) {
    check(TimeEntry, 'time entry', t, strip(t));
    if (entryKeys.has(t.key)) fail(`time entry key ${t.key} is not unique`);
    entryKeys.add(t.key);
    const a = assignments.get(t.assignmentId);
    if (a === undefined) {
      fail(`time entry ${t.key}: unknown assignment`);
      continue;
    }
    if (!activeAssignments.has(a.key)) fail(`time entry ${t.key}: assignment ${a.key} is ${a.status}`);
    const day = dayOf(t.workDate);
    const dow = weekdayOf(t.workDate);
    if (day < windowStart || day > windowEnd) fail(`time entry ${t.key}: ${t.workDate} outside the window`);
    if (dow === 0 || dow === 6) fail(`time entry ${t.key}: ${t.workDate} is a weekend`);
    if (t.workDate < a.startDate) fail(`time entry ${t.key}: before the assignment started`);
    const total = t.regularHours + t.overtimeHours + t.doubleTimeHours;
    if (total > 24 || total <= 0) fail(`time entry ${t.key}: ${total} hours`);
    for (const h of [t.regularHours, t.overtimeHours, t.doubleTimeHours]) if (h < 0 || Math.round(h * 4) !== h * 4) fail(`time entry ${t.key}: ${h} is not in quarter hours`);
    const approved = t.status === 'approved' || t.status === 'exported' || t.status === 'invoiced';
    if (approved) {
      if (t.approvedById !== a.approverContactId) fail(`time entry ${t.key}: approved by ${t.approvedById}, not the assignment's approver`);
      if (t.approvedAt === null || t.approvedAt.slice(0, 10) <= t.workDate || t.approvedAt.slice(0, 10) >= opts.asOf) fail(`time entry ${t.key}: approvedAt ${t.approvedAt}`);
    } else if (t.approvedById !== null || t.approvedAt !== null) fail(`time entry ${t.key}: ${t.status} but carries an approval`);
    const age = Math.floor((windowEnd - day) / 7);
    if (age === 0 && approved) fail(`time entry ${t.key}: the current week is already ${t.status}`);
    if (age < 2 && t.status === 'invoiced') fail(`time entry ${t.key}: invoiced only ${age} week(s) after the work`);
    entries.set(t.key, t);
  }
  const billed = new Map<string, Set<string>>();
  const numbers = new Set<string>();
  const invoiceKeys = new Set<string>();
  for (const inv of ds.invoices()) {
    const { lines, ...head } = inv;
    check(Invoice, 'invoice', inv, strip(head));
    if (invoiceKeys.has(inv.key)) fail(`invoice key ${inv.key} is not unique`);
    invoiceKeys.add(inv.key);
    if (!INVOICE_NUMBER.test(inv.number) || numbers.has(inv.number)) fail(`invoice ${inv.key}: number ${inv.number} malformed or reused`);
    numbers.add(inv.number);
    if (!clients.has(inv.clientId)) fail(`invoice ${inv.key}: unknown client`);
    if (inv.periodStart === null || inv.periodEnd === null || weekdayOf(inv.periodStart) !== 1 || dayOf(inv.periodEnd) - dayOf(inv.periodStart) !== 6) {
      fail(`invoice ${inv.key}: period ${inv.periodStart}–${inv.periodEnd} is not a Monday–Sunday week`);
    }
    if (lines.length === 0) fail(`invoice ${inv.key}: no lines`);
    let sum = 0;
    for (const line of lines) {
      check(InvoiceLine, 'invoice line', line, strip(line));
      sum += line.amountCents;
      if (line.invoiceId !== inv.key) fail(`invoice line ${line.key}: points at ${line.invoiceId}`);
      if (line.amountCents !== Math.round(line.quantity * line.rateCents)) fail(`invoice line ${line.key}: amount is not round(hours × rate)`);
      const entry = line.timeEntryId === null ? undefined : entries.get(line.timeEntryId);
      const a = line.assignmentId === null ? undefined : assignments.get(line.assignmentId);
      if (entry === undefined || a === undefined) {
        fail(`invoice line ${line.key}: unknown time entry or assignment`);
        continue;
      }
      if (entry.assignmentId !== a.key) fail(`invoice line ${line.key}: time entry of another assignment`);
      if (entry.status !== 'invoiced') fail(`invoice line ${line.key}: bills a ${entry.status} entry`);
      if (a.worksiteId === null || worksites.get(a.worksiteId)?.clientId !== inv.clientId) fail(`invoice line ${line.key}: assignment of another client`);
      if (inv.periodStart !== null && inv.periodEnd !== null && (entry.workDate < inv.periodStart || entry.workDate > inv.periodEnd)) fail(`invoice line ${line.key}: work date outside the period`);
      const rate = rateOn(a.key, entry.workDate);
      const expected = line.kind === 'regular'
        ? [entry.regularHours, rate?.billRateCents]
        : line.kind === 'overtime' ? [entry.overtimeHours, rate?.otBillRateCents] : [entry.doubleTimeHours, rate?.dtBillRateCents];
      if (line.quantity !== expected[0] || line.rateCents !== expected[1]) fail(`invoice line ${line.key}: ${line.kind} does not match the entry's hours and rate`);
      const kinds = billed.get(entry.key) ?? new Set<string>();
      if (kinds.has(line.kind)) fail(`invoice line ${line.key}: ${entry.key} ${line.kind} billed twice`);
      kinds.add(line.kind);
      billed.set(entry.key, kinds);
    }
    if (sum !== inv.totalCents) fail(`invoice ${inv.key}: total ${inv.totalCents} ≠ sum of lines ${sum}`);
  }
  for (const entry of entries.values()) {
    if (entry.status !== 'invoiced') continue;
    const kinds = billed.get(entry.key);
    const want = (entry.regularHours > 0 ? 1 : 0) + (entry.overtimeHours > 0 ? 1 : 0) + (entry.doubleTimeHours > 0 ? 1 : 0);
    if ((kinds?.size ?? 0) !== want) fail(`invoiced entry ${entry.key}: not billed on exactly one line per kind of hours`);
  }
  return problems;
}
