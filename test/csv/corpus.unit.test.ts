import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusCases, runCase, stableView, storedTimeEntries } from './support/corpus.ts';
import { worldFrom, worldTemplate, type WorldTemplate } from './support/world.ts';

/**
 * The corpus of awkward files (test/fixtures/csv): each case is imported into its own copy of the
 * seeded world and must give exactly the report in its expected.json — status, file facts
 * (encoding, delimiter, line ends), row counts, per-entity counts, every error with its physical
 * line, column, masked value and reason — and, for time entries, exactly the stored rows (the
 * accents of the encoding cases decoded right). A refused file writes no canonical row and no
 * ledger row.
 */
const cases = corpusCases();
let template: WorldTemplate;
beforeAll(async () => {
  template = await worldTemplate();
});
afterAll(() => template.dispose());

describe('CSV corpus', () => {
  it('has the cases the issue asks for', () => {
    const names = cases.map((c) => c.name);
    for (const wanted of [
      'utf8-lf', 'utf8-bom-crlf', 'utf16le-bom-tab', 'windows-1252-semicolon', 'cr-line-ends', 'quoted-newlines', 'wrong-column-counts',
      'bad-dates-hours', 'duplicates', 'formulas', 'empty-file', 'header-only', 'unknown-references', 'date-outside-assignment',
    ]) {
      expect(names).toContain(wanted);
    }
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const world = worldFrom(template);
    try {
      const count = (sql: string) => world.store.db.prepare(sql).pluck().get() as number;
      const ledgerBefore = count('SELECT count(*) FROM ledger');
      const report = await runCase(world, c);
      const expected = JSON.parse(readFileSync(join(c.dir, 'expected.json'), 'utf8')) as Record<string, unknown>;
      const { stored, ...view } = expected;
      expect(stableView(report)).toEqual(view);
      if (c.kind === 'time_entries') expect(storedTimeEntries(world)).toEqual(stored);
      if (report.status === 'refused' || report.dryRun) {
        expect(count('SELECT count(*) FROM ledger')).toBe(ledgerBefore);
        expect(count('SELECT count(*) FROM time_entries')).toBe(0);
      }
      if (report.dryRun) {
        expect(report.importId).toBeNull();
        expect(count('SELECT count(*) FROM csv_imports')).toBe(0);
        expect(count("SELECT count(*) FROM runs WHERE kind = 'import'")).toBe(0);
      }
    } finally {
      world.dispose();
    }
  });
});
