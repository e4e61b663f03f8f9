import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkMappings, formatCheckReport } from '../../src/mapping/index.ts';
import { SYSTEMS } from './helpers.ts';

/**
 * `mappings check` catches what an import or a pull would reject row by row: a file that may create
 * records but leaves a required canonical field unmapped fails with the file, the field and the fix.
 */
const REPO_MAPPINGS = join(import.meta.dirname, '../../mappings');
let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

/** The repository's mappings, with one file's text changed. */
function mappingsWith(file: string, edit: (text: string) => string): string {
  dir = mkdtempSync(join(tmpdir(), 'crosswalk-required-'));
  cpSync(REPO_MAPPINGS, dir, { recursive: true });
  writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
  return dir;
}

describe('required canonical fields', () => {
  it('the repository mappings pass', () => {
    const report = checkMappings(REPO_MAPPINGS, SYSTEMS);
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('a CSV time-entry file without double time fails with file, line, field and fix', () => {
    const d = mappingsWith('csv/billing/time-entries.yaml', (t) => t.replace(/ {2}- target: doubleTimeHours\n {4}from: DT Hrs\n {4}transform: \{ number: \{\} \}\n/, ''));
    const report = checkMappings(d, SYSTEMS);
    expect(report.ok).toBe(false);
    const file = `${d.split('/').at(-1) ?? ''}/csv/billing/time-entries.yaml`;
    expect(report.files.find((f) => f.file === file)?.status).toBe('error');
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ file, path: 'fields', code: 'required_field_unmapped' });
    expect(report.errors[0]?.line).toBe(readFileSync(join(d, 'csv/billing/time-entries.yaml'), 'utf8').split('\n').indexOf('fields:') + 1);
    expect(report.errors[0]?.message).toBe(
      'time_entry.doubleTimeHours (a number) is required but not mapped in, so every new record would be rejected: ' +
        'map it, { target: doubleTimeHours, from: <column> }, or give it a default, { target: doubleTimeHours, transform: { default: 0 } }',
    );
    expect(formatCheckReport(report)).toContain(`FAIL ${file}`);
  });

  it('a default is a fix', () => {
    const d = mappingsWith('csv/billing/time-entries.yaml', (t) =>
      t.replace(/ {2}- target: doubleTimeHours\n {4}from: DT Hrs\n {4}transform: \{ number: \{\} \}\n/, '  - target: doubleTimeHours\n    transform: { default: 0 }\n'),
    );
    expect(checkMappings(d, SYSTEMS).errors).toEqual([]);
  });

  it('a vendor file missing a required reference names the ref transform in its fix', () => {
    const d = mappingsWith('bullhorn/contact.yaml', (t) => t.replace(/ {2}- target: clientId\n(?: {4}.*\n)+?(?= {2}- target)/, ''));
    const messages = checkMappings(d, SYSTEMS).errors.map((e) => e.message);
    expect(messages).toEqual(['contact.clientId (a reference to client) is required but not mapped in, so every new record would be rejected: map it: { target: clientId, from: <path>, transform: { ref: { entity: client } } }']);
  });

  it('files that only match existing records, or only push, may carry less', () => {
    // The Gusto employee file parks unmatched employees (unmatched: review) and maps no status;
    // the Gusto job, compensation and time-sheet files are pushes only.
    const report = checkMappings(REPO_MAPPINGS, SYSTEMS);
    expect(report.files.filter((f) => f.file.includes('/gusto/')).map((f) => f.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });
});
