import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerExport } from '../../src/cli/commands/export.ts';
import { registerImport } from '../../src/cli/commands/import.ts';
import { CliContext } from '../../src/cli/context.ts';
import { CORPUS_DIR, MAPPINGS_DIR, worldTemplate, type WorldTemplate } from './support/world.ts';

let template: WorldTemplate;
let dir: string;
let config: string;
beforeAll(async () => {
  template = await worldTemplate({ timeEntries: true });
});
afterAll(() => template.dispose());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'crosswalk-cli-'));
  cpSync(template.path, join(dir, 'hub.sqlite'));
  cpSync(join(MAPPINGS_DIR, 'csv'), join(dir, 'mappings/csv'), { recursive: true });
  config = join(dir, 'crosswalk.config.yaml');
  writeFileSync(config, ['database: ./hub.sqlite', 'mappings: ./mappings', 'systems:', '  - { id: bullhorn, connector: bullhorn, kind: ats, baseUrl: "http://127.0.0.1:9" }', ''].join('\n'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = undefined;
});

/** Runs `crosswalk <args>` in process with only the CSV commands registered; returns stdout and stderr. */
async function crosswalk(...args: string[]): Promise<{ out: string; err: string; code: number | undefined }> {
  const ctx = new CliContext();
  ctx.setConfigFile(config);
  const program = new Command('crosswalk').exitOverride();
  registerImport(program, ctx);
  registerExport(program, ctx);
  let out = '';
  let err = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  try {
    await program.parseAsync(['node', 'crosswalk', ...args]);
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    await ctx.close();
  }
  const code = process.exitCode === undefined ? undefined : Number(process.exitCode);
  process.exitCode = undefined;
  return { out, err, code };
}

describe('crosswalk import', () => {
  it('prints the report with each problem by line and column, and exits 3 when rows had errors', async () => {
    const { out, code } = await crosswalk('import', 'time_entries', join(CORPUS_DIR, 'bad-dates-hours/input.csv'));
    expect(code).toBe(3);
    expect(out).toContain('time_entries from input.csv (utf-8, comma, LF, 8 columns) as csv:billing');
    expect(out).toContain('imported 1 of 11 rows; 10 rows with errors');
    expect(out).toMatch(/^line\s+column\s+value\s+reason$/m);
    expect(out).toMatch(/^7\s+Reg Hrs\s+25\s+25 hours is outside 0–24$/m);
  });

  it('--json gives the full report; the same file again is already imported (exit 0); --errors-csv writes the problems', async () => {
    const file = join(CORPUS_DIR, 'duplicates/input.csv');
    const errors = join(dir, 'problems.csv');
    const first = await crosswalk('import', 'time_entries', file, '--json', '--errors-csv', errors);
    const report = JSON.parse(first.out) as { status: string; errorCount: number };
    expect(report).toMatchObject({ status: 'succeeded', errorCount: 3 });
    expect(readFileSync(errors, 'utf8').split('\r\n')[0]).toBe('\ufeffline,column,value,reason');
    const again = await crosswalk('import', 'time_entries', file, '--json');
    expect(JSON.parse(again.out)).toMatchObject({ status: 'already_imported' });
    expect(again.code).toBe(0);
  });

  it('a refused file exits 1 with the reason; an unknown kind is a usage error', async () => {
    const refused = await crosswalk('import', 'time_entries', join(CORPUS_DIR, 'unclosed-quote/input.csv'));
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('refused: the quote opened on line 3 is never closed');
    await expect(crosswalk('import', 'payslips', 'x.csv')).rejects.toThrow('unknown import kind "payslips"');
  });
});

describe('crosswalk export', () => {
  it('time to a file: Gusto layout with BOM and CRLF, summary on stdout; the run can be written again', async () => {
    const out = join(dir, 'gusto.csv');
    const first = await crosswalk('export', 'time', '--format', 'gusto', '--period', '2026-11-09..2026-11-15', '--out', out);
    const summary = JSON.parse(first.out) as { runId: string; marked: number; rows: number };
    expect(summary.marked).toBeGreaterThan(0);
    const bytes = readFileSync(out);
    expect(bytes.subarray(0, 3).toString('hex')).toBe('efbbbf');
    expect(bytes.toString('utf8').split('\r\n')).toHaveLength(summary.rows + 2);
    expect(existsSync(`${out}.partial`)).toBe(false);
    const again = join(dir, 'again.csv');
    await crosswalk('export', 'time', '--run', summary.runId, '--out', again);
    expect(readFileSync(again).equals(bytes)).toBe(true);
  });

  it('an entity to stdout, with the summary on stderr', async () => {
    const { out, err } = await crosswalk('export', 'entity', 'client');
    expect(out.startsWith('\ufeffid,name,status')).toBe(true);
    expect(JSON.parse(err)).toMatchObject({ rows: template.dataset.clients.length });
  });

  it('says what is wrong with a bad call', async () => {
    await expect(crosswalk('export', 'time', '--format', 'paychex', '--period', '2026-11-09..2026-11-15')).rejects.toThrow('--format must be one of adp, gusto');
    await expect(crosswalk('export', 'time', '--format', 'gusto')).rejects.toThrow('--period FROM..TO is required');
    await expect(crosswalk('export', 'entity', 'payslip')).rejects.toThrow('name a canonical entity');
  });
});
