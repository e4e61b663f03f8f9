import { describe, expect, it } from 'vitest';
import { bindColumns, normaliseHeader } from '../../src/csv/binding.ts';
import { KINDS } from '../../src/csv/kinds.ts';
import { CsvRefusal } from '../../src/csv/limits.ts';
import { csvMappings } from './support/world.ts';

const mappings = csvMappings();
const of = (kind: keyof typeof KINDS) => mappings.allByVendorEntity('csv:billing', kind);
const ASSIGNMENT = ['Placement ID', 'Candidate ID', 'Job ID', 'Worksite ID', 'Approver ID', 'Job Title', 'Start Date', 'End Date', 'Status'];

describe('binding a header to a kind', () => {
  it('leaves an optional entity out when none of its own columns is in the file', () => {
    const b = bindColumns(KINDS.assignments, of('assignments'), ASSIGNMENT, 1);
    expect(b.stages.map((s) => s.def.entity)).toEqual(['assignment']);
    expect(b.ignored).toEqual([]);
  });

  it('requires the rest of an optional entity once one of its columns is there', () => {
    const bind = () => bindColumns(KINDS.assignments, of('assignments'), [...ASSIGNMENT, 'Pay Rate'], 1);
    expect(bind).toThrow(CsvRefusal);
    expect(bind).toThrow('missing columns: Rate Effective, Bill Rate');
  });

  it('does not require columns whose field may be null, or hours that default to zero', () => {
    const b = bindColumns(KINDS.time_entries, of('time_entries'), ['placement id', 'WORK DATE', 'Reg Hrs', 'Status', 'Employee'], 1);
    expect(b.stages[0]?.keyColumns).toEqual(['Placement ID', 'Work Date']);
    expect(b.ignored).toEqual(['Employee']);
    expect([...b.positions]).toEqual([['Placement ID', 0], ['Work Date', 1], ['Reg Hrs', 2], ['Status', 3]]);
  });

  it('finds the group column of a grouped kind', () => {
    const header = ['Invoice #', 'Client ID', 'Invoice Date', 'Invoice Status', 'Invoice Total', 'Line #', 'Line Type', 'Qty', 'Rate', 'Amount'];
    expect(bindColumns(KINDS.invoices, of('invoices'), header, 1).groupColumn).toBe(0);
  });

  it('normalises header cells: case, spaces, Unicode form', () => {
    expect(normaliseHeader('  Reg \t Hrs ')).toBe('reg hrs');
    expect(normaliseHeader('Cafe\u0301')).toBe(normaliseHeader('Café'));
  });
});
