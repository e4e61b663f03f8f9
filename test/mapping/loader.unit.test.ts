import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkMappings, fieldsParameter, formatCheckReport, loadMappings, previewMapping } from '../../src/mapping/index.ts';
import { SYSTEMS, errorsOf, load, problems } from './helpers.ts';

const GOOD = join(import.meta.dirname, '../fixtures/mappings-good/mappings');

/** A Bullhorn placement as `GET entity/Placement/{id}` returns it (invented people). */
const placement = {
  id: 30418,
  status: 'Approved',
  dateBegin: 1751846400000,
  dateEnd: 1759708800000,
  payRate: 20.0,
  overtimeRate: 30.0,
  clientBillRate: 29.4,
  clientOvertimeRate: 44.1,
  candidate: { id: 48213, firstName: 'Marisol', lastName: 'Quintero-Hale' },
  jobOrder: { id: 77245, title: 'Warehouse Associate - 2nd Shift' },
  approvingClientContact: { id: 15522, firstName: 'Regina', lastName: 'Baptiste' },
  customText5: 'asg-0001',
  isDeleted: false,
  dateLastModified: 1751300000000,
};

/** A Gusto employee (invented). */
const employee = {
  uuid: '6a1f0c92-4d3e-4b8a-9f27-1e5d8c3b7a40',
  first_name: 'Rosalind',
  last_name: 'Featherstone',
  email: 'Roz.Featherstone@example.com ',
  phone: '4045550136',
  terminated: false,
  custom_fields: [{ name: 'Bullhorn Candidate ID', value: '48213' }],
};

describe('loading the example mappings', () => {
  const { registry, errors, files } = loadMappings(GOOD, SYSTEMS);

  it('loads every file without errors', () => {
    expect(errors.map(String)).toEqual([]);
    expect(files.map((f) => [f.file, f.status, f.systems.join(',')])).toEqual([
      ['mappings/bullhorn/placement-rate.yaml', 'ok', 'bullhorn'],
      ['mappings/bullhorn/placement.yaml', 'ok', 'bullhorn'],
      ['mappings/csv/billing/time.yaml', 'ok', 'csv:billing'],
      ['mappings/gusto/employee.yaml', 'ok', 'gusto'],
    ]);
  });

  it('maps a Bullhorn placement into an IncomingRecord', () => {
    const m = registry.get('bullhorn', 'assignment');
    expect(m?.file).toBe('mappings/bullhorn/placement.yaml');
    expect(m?.toIncoming(placement)).toEqual({
      ok: true,
      record: {
        externalId: '30418',
        sourceModifiedAt: '2025-06-30T16:13:20.000Z',
        values: {
          candidateId: { ref: { system: 'bullhorn', externalId: '48213' } },
          requisitionId: { ref: { system: 'bullhorn', externalId: '77245' } },
          approverContactId: { ref: { system: 'bullhorn', externalId: '15522' } },
          title: 'Warehouse Associate - 2nd Shift',
          startDate: '2025-07-07',
          endDate: '2025-10-06',
          status: 'active',
        },
        match: { canonicalId: 'asg-0001' },
      },
    });
  });

  it('feeds one vendor entity to two canonical entities', () => {
    expect(registry.allByVendorEntity('bullhorn', 'Placement').map((m) => m.entity)).toEqual(['assignment_rate', 'assignment']);
    const rate = registry.get('bullhorn', 'assignment_rate')?.toIncoming(placement);
    expect(rate?.ok && rate.record.values).toEqual({
      assignmentId: { ref: { system: 'bullhorn', externalId: '30418' } },
      effectiveFrom: '2025-07-07',
      payRateCents: 2000,
      billRateCents: 2940,
      otPayRateCents: 3000,
      otBillRateCents: 4410,
    });
  });

  it('marks deletes and reports a record it cannot identify', () => {
    const m = registry.get('bullhorn', 'assignment');
    const gone = m?.toIncoming({ ...placement, isDeleted: true });
    expect(gone?.ok && gone.record.deleted).toBe(true);
    expect(m?.toIncoming({ ...placement, id: null })).toEqual({ ok: false, error: 'Placement record has no usable key at id' });
    expect(m?.toIncoming([placement])).toEqual({ ok: false, error: 'a Placement record must be an object, got a list' });
    expect(m?.toIncoming('nope')).toEqual({ ok: false, error: 'a Placement record must be an object, got "nope"' });
  });

  it('invalidates a record whose modified time does not parse, keeping its id', () => {
    const r = registry.get('bullhorn', 'assignment')?.toIncoming({ ...placement, dateLastModified: 'yesterday' });
    expect(r?.ok && r.record.invalid).toBe('modifiedAt (from dateLastModified): "yesterday" is not epoch milliseconds');
    expect(r?.ok && r.record.sourceModifiedAt).toBeNull();
  });

  it('builds the Bullhorn body from outbound fields only', () => {
    const m = registry.get('bullhorn', 'assignment');
    const body = m?.toVendor({ approverContactId: 'con-1', title: 'ignored: in only', status: 'active' }, (entity, id) => (entity === 'contact' && id === 'con-1' ? '15522' : null));
    expect(body).toEqual({ ok: true, body: { approvingClientContact: { id: 15522 } } });
  });

  it('gives match hints: links to another system and a trimmed email', () => {
    const r = registry.get('gusto', 'candidate')?.toIncoming(employee);
    expect(r?.ok && r.record).toEqual({
      externalId: employee.uuid,
      sourceModifiedAt: null,
      values: { email: 'Roz.Featherstone@example.com ', phone: '4045550136', status: 'placed' },
      match: { links: [{ system: 'bullhorn', externalId: '48213' }], email: 'Roz.Featherstone@example.com' },
    });
  });

  it('maps CSV rows with a composite key, portal ids and case-insensitive enums', () => {
    const m = registry.get('csv:billing', 'time_entry');
    const row = { 'Assignment ID': 'asg-1', 'Work Date': '07/04/2025', Regular: '8.00', OT: '', Status: 'APPROVED', Note: 'late start', 'Approver Note': 'ok' };
    expect(m?.keyOf(row)).toBe('asg-1|07/04/2025');
    expect(m?.toIncoming(row)).toEqual({
      ok: true,
      record: {
        externalId: 'asg-1|07/04/2025',
        sourceModifiedAt: null,
        values: { assignmentId: 'asg-1', workDate: '2025-07-04', regularHours: 8, overtimeHours: 0, doubleTimeHours: 0, status: 'approved', note: 'late start / ok' },
      },
    });
    expect(m?.keyOf({ 'Assignment ID': 'asg-1' })).toBeNull();
  });

  it('lists the source paths a connector must ask for', () => {
    const m = registry.get('bullhorn', 'assignment');
    const paths = m?.sourcePaths() ?? [];
    expect(paths).toEqual(['id', 'dateLastModified', 'isDeleted', 'customText5', 'candidate.id', 'jobOrder.id', 'approvingClientContact.id', 'jobOrder.title', 'dateBegin', 'dateEnd', 'status']);
    expect(fieldsParameter(paths)).toBe('id,dateLastModified,isDeleted,customText5,candidate(id),jobOrder(id,title),approvingClientContact(id),dateBegin,dateEnd,status');
    expect(registry.get('gusto', 'candidate')?.sourcePaths()).toContain('custom_fields.name');
  });
});

describe('the registry as the engine sync policy', () => {
  const { registry } = loadMappings(GOOD, SYSTEMS);

  it('gives inbound rules with declared, inherited and default owners', () => {
    const rules = registry.inbound('bullhorn', 'assignment');
    expect(rules?.match).toEqual({ byEmail: false, unmatched: 'create' });
    expect(rules?.fields.get('candidateId')).toEqual({ owner: 'bullhorn', conflict: 'manual' });
    expect(rules?.fields.get('approverContactId')).toEqual({ owner: 'shared', conflict: 'manual' });
    // Gusto's file names no owner for status: nobody declares one, so it is shared.
    expect(registry.inbound('gusto', 'candidate')?.fields.get('status')).toEqual({ owner: 'shared', conflict: 'manual' });
    expect(registry.inbound('gusto', 'candidate')?.fields.get('email')).toEqual({ owner: 'shared', conflict: 'latest' });
    expect(registry.inbound('gusto', 'candidate')?.fields.has('firstName')).toBe(false);
    expect(registry.inbound('gusto', 'candidate')?.match).toEqual({ byEmail: true, unmatched: 'review' });
    expect(registry.inbound('gusto', 'assignment')).toBeUndefined();
  });

  it('fans out to systems carrying fields outward, never to CSV sources', () => {
    expect(registry.outbound('candidate')).toEqual([
      { system: 'gusto', fields: new Set(['firstName', 'lastName', 'email', 'phone', 'status']), create: { kind: 'when', when: { status: ['placed'] } } },
    ]);
    expect(registry.outbound('assignment')).toEqual([{ system: 'bullhorn', fields: new Set(['approverContactId']), create: { kind: 'never' } }]);
    expect(registry.outbound('time_entry')).toEqual([]);
  });

  it('knows each declared owner', () => {
    expect(registry.ownerOf('candidate', 'firstName')).toBe('bullhorn');
    expect(registry.ownerOf('assignment', 'approverContactId')).toBe('shared');
    expect(registry.ownerOf('candidate', 'status')).toBeUndefined();
  });

  it('an inherited owner comes from another file', () => {
    const { registry: r } = load({
      'bullhorn/candidate.yaml': 'vendor: bullhorn\nentity: Candidate\ncanonical: candidate\nkey: id\nfields:\n  - { target: firstName, from: firstName, owner: bullhorn }\n',
      'gusto/employee.yaml': 'vendor: gusto\nentity: employees\ncanonical: candidate\nkey: uuid\nfields:\n  - { target: firstName, from: first_name }\n',
    });
    expect(r.inbound('gusto', 'candidate')?.fields.get('firstName')).toEqual({ owner: 'bullhorn', conflict: 'manual' });
  });
});

describe('systems and folders', () => {
  const candidate = (vendor: string, owner: string) =>
    `vendor: ${vendor}\nentity: Candidate\ncanonical: candidate\nkey: id\nfields:\n  - { target: firstName, from: firstName, owner: ${owner} }\n`;

  it('applies a vendor file to every system using that connector, owners named by connector or id', () => {
    const systems = [{ id: 'bh-east', connector: 'bullhorn' }, { id: 'bh-west', connector: 'bullhorn' }];
    const r = load({ 'bullhorn/candidate.yaml': candidate('bullhorn', 'bh-east') }, systems);
    expect(r.errors).toEqual([]);
    expect(r.registry.all().map((m) => m.system)).toEqual(['bh-east', 'bh-west']);
    expect(r.registry.inbound('bh-west', 'candidate')?.fields.get('firstName')?.owner).toBe('bh-east');
    expect(load({ 'bullhorn/candidate.yaml': candidate('bullhorn', 'bullhorn') }, systems).errors.map(String)).toEqual([
      'mappings/bullhorn/candidate.yaml:6 fields[0].owner: bullhorn is the connector of bh-east, bh-west: name one of those systems',
    ]);
  });

  it('resolves a connector name used by one system to that system id', () => {
    const r = load({ 'bullhorn/candidate.yaml': candidate('bullhorn', 'bullhorn') }, [{ id: 'bh1', connector: 'bullhorn' }]);
    expect(r.registry.ownerOf('candidate', 'firstName')).toBe('bh1');
    expect(r.registry.get('bh1', 'candidate')?.toIncoming({ id: 5, firstName: 'Ana' })).toMatchObject({ ok: true });
  });

  it('checks files of vendors no system uses, and reports them inactive', () => {
    const r = load({ 'adp/worker.yaml': candidate('adp', 'adp'), 'bullhorn/candidate.yaml': candidate('bullhorn', 'bullhorn') });
    expect(r.errors).toEqual([]);
    expect(r.files.map((f) => [f.file, f.status])).toEqual([
      ['mappings/adp/worker.yaml', 'inactive'],
      ['mappings/bullhorn/candidate.yaml', 'ok'],
    ]);
    // Safety checks do not depend on configuration.
    expect(errorsOf({ 'adp/worker.yaml': candidate('adp', 'adp').replace('from: firstName', 'from: person.ssn') })).toEqual([
      'mappings/adp/worker.yaml:6 fields[0].from: "person.ssn" looks like social security or tax id data, which the hub never reads',
    ]);
  });

  it('accepts csv:<source> owners once the CSV folder exists', () => {
    const csv = 'vendor: csv\nsource: billing\nentity: people\ncanonical: candidate\nkey: ID\nfields:\n  - { target: lastName, from: Last }\n';
    expect(errorsOf({ 'csv/billing/people.yaml': csv, 'bullhorn/candidate.yaml': candidate('bullhorn', 'csv:billing') })).toEqual([]);
    expect(errorsOf({ 'bullhorn/candidate.yaml': candidate('bullhorn', 'csv:billing') })).toEqual([
      'mappings/bullhorn/candidate.yaml:6 fields[0].owner: unknown owner "csv:billing" (portal, shared, or one of: bullhorn, gusto)',
    ]);
  });

  it('refuses a second file for the same canonical entity within a vendor', () => {
    expect(errorsOf({ 'bullhorn/a.yaml': candidate('bullhorn', 'bullhorn'), 'bullhorn/b.yaml': candidate('bullhorn', 'bullhorn') })).toEqual([
      'mappings/bullhorn/b.yaml:3 canonical: mappings/bullhorn/a.yaml already maps candidate for bullhorn',
    ]);
  });

  it('reports an unreadable folder instead of throwing', () => {
    const r = loadMappings(join(tmpdir(), 'crosswalk-no-such-mappings-folder'), SYSTEMS);
    expect(r.errors.map(String)).toEqual(['crosswalk-no-such-mappings-folder:1 (document): cannot read the folder (ENOENT)']);
    expect(r.registry.all()).toEqual([]);
  });
});

describe('file structure errors', () => {
  const head = 'vendor: bullhorn\nentity: Candidate\ncanonical: candidate\nkey: id\n';
  const one = (text: string) => errorsOf({ 'bullhorn/candidate.yaml': text });

  it.each([
    ['a list at the top', '- a\n- b\n', ['mappings/bullhorn/candidate.yaml:1 (document): a mapping file is a block of keys (vendor, entity, canonical, key, fields)']],
    ['an empty file', '', ['mappings/bullhorn/candidate.yaml:1 (document): a mapping file is a block of keys (vendor, entity, canonical, key, fields)']],
    ['two documents', `${head}fields: []\n---\na: 1\n`, ['mappings/bullhorn/candidate.yaml:6 (document): invalid YAML: one document per file (remove the --- separator)']],
    ['no fields', `${head}fields: []\n`, ['mappings/bullhorn/candidate.yaml:5 fields: needs at least 1 item(s)']],
    ['an unknown top-level key', `${head}extra: 1\nfields:\n  - { target: firstName, from: f }\n`, ['mappings/bullhorn/candidate.yaml:5 extra: unknown key "extra"']],
    ['source outside csv', `${head}source: x\nfields:\n  - { target: firstName, from: f }\n`, ['mappings/bullhorn/candidate.yaml:5 source: source is for CSV mappings only (mappings/csv/<source>/)']],
    ['a field that is not a block', `${head}fields:\n  - firstName\n`, ['mappings/bullhorn/candidate.yaml:6 fields[0]: must be a block of keys, got "firstName"']],
    ['a target of the wrong type', `${head}fields:\n  - { target: [a], from: f }\n`, ['mappings/bullhorn/candidate.yaml:6 fields[0].target: must be text, got a list']],
    ['a field without from', `${head}fields:\n  - { target: firstName }\n`, ['mappings/bullhorn/candidate.yaml:6 fields[0]: firstName needs from (only concat and default go without)']],
    ['an outbound constant', `${head}fields:\n  - { target: firstName, transform: { default: A }, direction: out }\n`, ['mappings/bullhorn/candidate.yaml:6 fields[0].direction: firstName goes out but has no from to write']],
    ['two transforms in one block', `${head}fields:\n  - { target: firstName, from: f, transform: { enum: { map: { a: b } }, default: x } }\n`, ['mappings/bullhorn/candidate.yaml:6 fields[0].transform: one transform per field, not enum and default']],
    ['an empty transform block', `${head}fields:\n  - { target: firstName, from: f, transform: {} }\n`, ['mappings/bullhorn/candidate.yaml:6 fields[0].transform: empty transform block']],
    ['a transform that is not a block', `${head}fields:\n  - { target: firstName, from: f, transform: money }\n`, ['mappings/bullhorn/candidate.yaml:6 fields[0].transform: a transform is a block naming one of date, money, number, enum, concat, default, ref']],
    ['a definition using a definition', `${head}definitions:\n  a: { $ref: b }\n  b: { default: x }\nfields:\n  - { target: firstName, from: f, transform: { $ref: a } }\n`, ['mappings/bullhorn/candidate.yaml:6 definitions.a.$ref: a definition cannot refer to another one']],
    ['a key that is not a path', `vendor: bullhorn\nentity: Candidate\ncanonical: candidate\nkey: a..b\nfields:\n  - { target: firstName, from: f }\n`, ['mappings/bullhorn/candidate.yaml:4 key: bad path "a..b": a name is missing at character 3']],
    ['two outbound fields writing one path', `${head}fields:\n  - { target: firstName, from: name, direction: out }\n  - { target: lastName, from: name.last, direction: out }\n`, ['mappings/bullhorn/candidate.yaml:7 fields[1].from: name.last collides with fields[0] (name) on the way out']],
    ['latest on an owned field', `${head}fields:\n  - { target: firstName, from: f, owner: bullhorn, conflict: latest }\n`, ['mappings/bullhorn/candidate.yaml:6 fields[0].conflict: conflict: latest applies to shared fields; firstName is owned by bullhorn']],
    ['a portal link', `${head}match:\n  links: [{ system: portal, from: x }]\nfields:\n  - { target: firstName, from: f }\n`, ['mappings/bullhorn/candidate.yaml:6 match.links[0].system: portal ids are matched with match.canonicalId, not links']],
    ['an unknown link system', `${head}match:\n  links: [{ system: adp, from: x }]\nfields:\n  - { target: firstName, from: f }\n`, ['mappings/bullhorn/candidate.yaml:6 match.links[0].system: unknown system "adp" (one of: bullhorn, gusto)']],
    ['a hub-written entity', 'vendor: bullhorn\nentity: Note\ncanonical: time_entry_event\nkey: id\nfields:\n  - { target: comment, from: c }\n', ['mappings/bullhorn/candidate.yaml:3 canonical: time_entry_event is written by the hub itself, never mapped']],
    ['a sensitive vendor entity', 'vendor: bullhorn\nentity: BackgroundCheck\ncanonical: candidate\nkey: id\nfields:\n  - { target: firstName, from: f }\n', ['mappings/bullhorn/candidate.yaml:2 entity: vendor entity "BackgroundCheck" looks like background, medical or immigration data, which the hub never reads']],
    ['a bad push rule', `${head}push:\n  create: { when: { status: [hired], nickname: [x] } }\nfields:\n  - { target: status, from: s, direction: out }\n`, [
      'mappings/bullhorn/candidate.yaml:6 push.create.when.status[0]: status is never "hired"',
      'mappings/bullhorn/candidate.yaml:6 push.create.when.nickname: "nickname" is not a field of candidate',
    ]],
    ['a push rule in other words', `${head}push:\n  create: sometimes\nfields:\n  - { target: status, from: s }\n`, ['mappings/bullhorn/candidate.yaml:6 push.create: must be never, always, or { when: { field: [values] } }']],
  ])('%s', (_name, text, expected) => {
    expect(one(text)).toEqual(expected);
  });

  it('reuses a definition and reports its misuse at the field', () => {
    expect(problems('assignment', `  - { target: candidateId, from: c, transform: { ref: { entity: candidate } } }
  - { target: startDate, from: s, transform: { $ref: '#/definitions/bh' } }
  - { target: title, from: t, transform: { $ref: bh } }
`, 'definitions:\n  bh: { date: { format: epoch-ms } }\n')).toEqual([
      'mappings/bullhorn/thing.yaml:10 fields[2].transform: date needs a date or date-time target; title is text (definition bh)',
    ]);
  });

  it('reports a broken definition once, where it is written', () => {
    expect(problems('assignment', `  - { target: candidateId, from: c, transform: { ref: { entity: candidate } } }
  - { target: startDate, from: s, transform: { $ref: bh } }
`, 'definitions:\n  bh: { date: { format: epoch } }\n')).toEqual([
      'mappings/bullhorn/thing.yaml:6 definitions.bh.date.format: must be one of iso-date, iso-datetime, epoch-ms, epoch-s, us-date, got "epoch"',
    ]);
  });
});

describe('check and preview', () => {
  let dir = '';
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports files, entities with owners, and errors', () => {
    dir = mkdtempSync(join(tmpdir(), 'crosswalk-mappings-'));
    mkdirSync(join(dir, 'bullhorn'));
    mkdirSync(join(dir, 'adp'));
    writeFileSync(join(dir, 'README.md'), 'not a mapping');
    // It only matches existing candidates (unmatched: review), so it need not map every required field.
    writeFileSync(join(dir, 'bullhorn', 'candidate.yaml'), 'vendor: bullhorn\nentity: Candidate\ncanonical: candidate\nkey: id\nmatch: { unmatched: review }\nfields:\n  - { target: firstName, from: firstName, owner: bullhorn }\n  - { target: email, from: email, direction: both }\n');
    writeFileSync(join(dir, 'bullhorn', 'broken.yaml'), 'vendor: bullhorn\n');
    writeFileSync(join(dir, 'adp', 'worker.yaml'), 'vendor: adp\nentity: worker\ncanonical: candidate\nkey: id\nfields:\n  - { target: lastName, from: l }\n');
    const report = checkMappings(dir, SYSTEMS);
    expect(report.ok).toBe(false);
    expect(report.files.map((f) => `${f.file} ${f.status}`)).toEqual([
      `${baseName(dir)}/adp/worker.yaml inactive`,
      `${baseName(dir)}/bullhorn/broken.yaml error`,
      `${baseName(dir)}/bullhorn/candidate.yaml ok`,
    ]);
    expect(report.entities).toEqual([
      { entity: 'candidate', mappings: [{ system: 'bullhorn', vendorEntity: 'Candidate', file: `${baseName(dir)}/bullhorn/candidate.yaml`, in: 2, out: 1 }], owners: { firstName: 'bullhorn' } },
    ]);
    expect(report.errors.map((e) => `${e.code} ${e.path}`)).toEqual(['missing_key entity', 'missing_key canonical', 'missing_key key', 'missing_key fields']);
    expect((JSON.parse(JSON.stringify(report)) as { errors: Array<{ text: string }> }).errors[0]?.text).toBe(`${baseName(dir)}/bullhorn/broken.yaml:1 entity: required key is missing`);
    const text = formatCheckReport(report);
    expect(text).toContain(`ok   ${baseName(dir)}/bullhorn/candidate.yaml Candidate → candidate (bullhorn)`);
    expect(text).toContain(`skip ${baseName(dir)}/adp/worker.yaml worker → candidate (inactive: no configured system uses it)`);
    expect(text).toContain('4 error(s):');
  });

  // Root reads any file whatever its mode, so the permission cannot be taken away there.
  it.skipIf(process.getuid?.() === 0)('reports an unreadable file and keeps going', () => {
    const d = mkdtempSync(join(tmpdir(), 'crosswalk-mappings-'));
    try {
      mkdirSync(join(d, 'bullhorn'));
      writeFileSync(join(d, 'bullhorn', 'x.yaml'), 'vendor: bullhorn\n');
      chmodSync(join(d, 'bullhorn', 'x.yaml'), 0o000);
      expect(loadMappings(d, SYSTEMS).errors.map((e) => e.code)).toEqual(['unreadable']);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('follows a linked vendor folder, and reports a dangling linked file', () => {
    const d = mkdtempSync(join(tmpdir(), 'crosswalk-mappings-'));
    try {
      symlinkSync(join(GOOD, 'gusto'), join(d, 'gusto'));
      mkdirSync(join(d, 'bullhorn'));
      symlinkSync(join(d, 'nowhere.yaml'), join(d, 'bullhorn', 'gone.yaml'));
      const r = loadMappings(d, SYSTEMS);
      expect(r.registry.all().map((m) => m.entity)).toEqual(['candidate']);
      expect(r.errors.map((e) => `${e.file.split('/').slice(1).join('/')} ${e.code}`)).toEqual(['bullhorn/gone.yaml unreadable']);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('previews a record: incoming, field table, and the record mapped back', () => {
    const { registry } = loadMappings(GOOD, SYSTEMS);
    const preview = previewMapping(registry, 'bullhorn', 'assignment', placement);
    if (!preview.ok) throw new Error(preview.error);
    expect(preview.mapping).toEqual({ file: 'mappings/bullhorn/placement.yaml', system: 'bullhorn', vendor: 'bullhorn', vendorEntity: 'Placement', entity: 'assignment' });
    expect(preview.fields.find((f) => f.target === 'candidateId')).toEqual({
      target: 'candidateId', source: 'candidate.id', transform: 'ref', direction: 'in', owner: 'bullhorn', ownerFrom: 'this file', conflict: 'manual',
      value: '<candidate bullhorn:48213>',
    });
    expect(preview.back).toEqual({ ok: true, body: { approvingClientContact: { id: '<contact bullhorn:15522>' } } });
    expect(preview.incoming.externalId).toBe('30418');
    const byVendor = previewMapping(registry, 'gusto', 'employees', employee);
    expect(byVendor.ok && byVendor.fields.map((f) => `${f.target}:${f.owner}:${f.ownerFrom}`)).toEqual([
      'firstName:bullhorn:this file', 'lastName:bullhorn:this file', 'email:shared:this file', 'phone:shared:this file', 'status:shared:default',
    ]);
    expect(byVendor.ok && byVendor.back).toEqual({ ok: true, body: { email: 'Roz.Featherstone@example.com ', phone: '4045550136', terminated: false } });
    expect(previewMapping(registry, 'gusto', 'Placement', {})).toEqual({ ok: false, error: 'no mapping for Placement in gusto' });
    expect(previewMapping(registry, 'bullhorn', 'Placement', { nothing: 1 })).toEqual({ ok: false, error: 'Placement record has no usable key at id' });
  });
});

function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}
