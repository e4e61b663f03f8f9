import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exportEntity } from '../../src/csv/export-entity.ts';
import { importCsv } from '../../src/csv/import.ts';
import { unneutralise } from '../../src/csv/neutralise.ts';
import { mapping } from '../mapping/helpers.ts';
import { TIME_HEADER, timeCsv, writeFile } from './support/files.ts';
import { T0, worldFrom, worldTemplate, type World, type WorldTemplate } from './support/world.ts';

/**
 * A text cell that starts with a tab keeps its tab through an import — unquoted or quoted, in a
 * comma or a tab-delimited file, on create and on update — and is neutralised on export (a leading
 * `'`, the documented prefix), so reading the export back and removing that one `'` gives the cell.
 */

let template: WorldTemplate;
let world: World;
beforeAll(async () => {
  template = await worldTemplate();
});
afterAll(() => template.dispose());
beforeEach(() => {
  world = worldFrom(template);
});
afterEach(() => world.dispose());

const PLACEMENT = 'asg-000001';

async function importText(name: string, text: string, kind = 'time_entries'): Promise<void> {
  const report = await importCsv({ store: world.store, engine: world.engine, mappings: world.mappings, kind, path: writeFile(world.temp.dir, name, text), now: () => T0 });
  expect(report.errors).toEqual([]);
  expect(report.status).toBe('succeeded');
}

const notes = (): Array<string | null> => world.store.db.prepare('SELECT note FROM time_entries ORDER BY work_date').pluck().all() as Array<string | null>;

async function exported(entity: 'time_entry' | 'contact'): Promise<Array<Record<string, string>>> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportEntity(world.store, { entity, internal: true }, out);
  return parse<Record<string, string>>(Buffer.concat(chunks).toString('utf8'), { bom: true, columns: true });
}

describe('a cell that starts with a tab', () => {
  it('keeps its tab through the import, unquoted and quoted, and on an update', async () => {
    await importText('a.csv', timeCsv([
      { placement: PLACEMENT, date: '11/02/2026', note: '\tcall the site first' },
      { placement: PLACEMENT, date: '11/03/2026', note: '\t=HYPERLINK("x")' },
      { placement: PLACEMENT, date: '11/04/2026', note: 'plain' },
    ]));
    expect(notes()).toEqual(['\tcall the site first', '\t=HYPERLINK("x")', 'plain']);

    await importText('b.csv', timeCsv([{ placement: PLACEMENT, date: '11/04/2026', note: '\tplain' }]));
    expect(notes()[2]).toBe('\tplain');
  });

  it('keeps its tab in a tab-delimited file, where the cell is quoted', async () => {
    const text = `${TIME_HEADER.join('\t')}\r\n${[PLACEMENT, 'Worker', '11/05/2026', '8', '', '', 'Approved', '"\tleft early"'].join('\t')}\r\n`;
    await importText('tabs.csv', text);
    expect(notes()).toEqual(['\tleft early']);
  });

  it('is neutralised on export, and removing the one prefix gives the cell back', async () => {
    await importText('a.csv', timeCsv([
      { placement: PLACEMENT, date: '11/02/2026', note: '\tcall the site first' },
      { placement: PLACEMENT, date: '11/03/2026', note: '\t=1+2' },
    ]));
    const rows = (await exported('time_entry')).filter((r) => r['assignmentId'] !== undefined && r['note'] !== '');
    const cells = rows.map((r) => r['note'] ?? '').sort();
    expect(cells).toEqual(["'\t=1+2", "'\tcall the site first"]);
    expect(cells.map(unneutralise)).toEqual(['\t=1+2', '\tcall the site first']);
  });

  it('keeps its tab in a new contact created from a CSV, and the export neutralises it', async () => {
    const header = 'Contact ID,Client ID,First Name,Last Name,Email,Phone,Title,Contact Status';
    await importText('contacts.csv', `${header}\r\nct-tab-1,cl-000001,\tAnn,Lee,ann.lee@tab.example.test,,"\t=Boss",Active\r\n`, 'contacts');
    const stored = world.store.db.prepare("SELECT first_name, title FROM contacts WHERE email = 'ann.lee@tab.example.test'").get();
    expect(stored).toEqual({ first_name: '\tAnn', title: '\t=Boss' });
    const row = (await exported('contact')).find((r) => r['email'] === 'ann.lee@tab.example.test');
    expect(row).toMatchObject({ firstName: "'\tAnn", title: "'\t=Boss" });
  });

  it('keeps its tab when a mapping joins it with concat, other spaces still trimmed', () => {
    const m = mapping('candidate', `  - { target: firstName, transform: { concat: { from: [first, middle], separator: ' ' } } }
  - { target: lastName, from: last }
`);
    const joined = (record: Record<string, unknown>) => {
      const r = m.toIncoming({ id: 1, ...record });
      return r.ok ? r.record.values['firstName'] : r;
    };
    expect(joined({ first: '\tAna ', middle: ' K ' })).toBe('\tAna K');
    expect(joined({ first: '  Ana', middle: '\tK' })).toBe('Ana \tK');
    expect(joined({ first: '\t', middle: null })).toBeNull();
  });
});
