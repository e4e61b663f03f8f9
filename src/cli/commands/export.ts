import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { exportEntity } from '../../csv/export-entity.ts';
import { exportInvoices } from '../../csv/export-invoices.ts';
import { exportTime, exportTimeRun, parsePeriod, type Period } from '../../csv/export-time.ts';
import { isPayrollFormat, PAYROLL_FORMATS } from '../../csv/payroll.ts';
import { isEntityName } from '../../model/index.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';

interface ExportOpts {
  format?: string;
  period?: string;
  out?: string;
  includeExported?: boolean;
  internal?: boolean;
  dryRun?: boolean;
  run?: string;
  companyCode?: string;
  payrollSystem?: string;
  json?: boolean;
}

const KINDS = ['time', 'invoices', 'entity'] as const;

function period(text: string | undefined, required: boolean): Period | undefined {
  if (text === undefined) {
    if (required) throw new UsageError('--period FROM..TO is required, e.g. --period 2026-11-09..2026-11-15');
    return undefined;
  }
  const p = parsePeriod(text);
  if ('error' in p) throw new UsageError(p.error);
  return p;
}

/**
 * Writes to `--out` through a `.partial` file renamed at the end (a half-written payroll file is
 * never left under the real name), or to stdout.
 */
async function withOutput<T>(out: string | undefined, write: (stream: Writable, endOutput: boolean) => Promise<T>): Promise<T> {
  if (out === undefined) return write(process.stdout, false);
  const part = `${out}.partial`;
  try {
    const result = await write(createWriteStream(part), true);
    await rename(part, out);
    return result;
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  }
}

export function registerExport(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description('CSV exports: approved time for payroll (Gusto or ADP), the invoice register, any canonical entity')
    .argument('<kind>', KINDS.join(' | '))
    .argument('[entity]', 'for `export entity`: the canonical entity, e.g. time_entry')
    .option('--format <format>', `time: ${PAYROLL_FORMATS.join(' | ')}`)
    .option('--period <from..to>', 'time: work dates, e.g. 2026-11-09..2026-11-15; invoices: issue dates')
    .option('--out <file>', 'write here instead of stdout')
    .option('--include-exported', 'time: also write entries exported before, without marking them again')
    .option('--dry-run', 'time: write the file but mark nothing')
    .option('--run <runId>', 'time: write the file of an earlier export run again (marks nothing)')
    .option('--company-code <code>', 'time, ADP: company code for workers whose ADP link has none')
    .option('--payroll-system <id>', 'time: the system whose links carry payroll ids (default: the format)')
    .option('--internal', 'entity: every field, pay rates included (default: client-visible fields)')
    .option('--json', 'print the export summary as JSON (on stderr when the file goes to stdout)')
    .action(async (kind: string, entity: string | undefined, opts: ExportOpts) => {
      const summary = (value: unknown) => {
        const text = `${JSON.stringify(value, null, opts.json ? 2 : undefined)}\n`;
        (opts.out === undefined ? process.stderr : process.stdout).write(text);
      };
      const store = ctx.store();
      if (kind === 'time') {
        if (opts.run !== undefined) {
          const result = await withOutput(opts.out, (out, endOutput) => exportTimeRun(store, opts.run as string, out, { endOutput }));
          summary(result);
          return;
        }
        if (opts.format === undefined || !isPayrollFormat(opts.format)) throw new UsageError(`--format must be one of ${PAYROLL_FORMATS.join(', ')}`);
        const format = opts.format;
        const p = period(opts.period, true) as Period;
        const result = await withOutput(opts.out, (out, endOutput) =>
          exportTime(store, ctx.policy(), {
            format, period: p, includeExported: opts.includeExported ?? false, dryRun: opts.dryRun ?? false, endOutput,
            ...(opts.companyCode === undefined ? {} : { adp: { companyCode: opts.companyCode } }),
            ...(opts.payrollSystem === undefined ? {} : { payrollSystem: opts.payrollSystem }),
          }, out),
        );
        summary(result);
        if (result.skipped.length > 0) process.exitCode = 3;
        return;
      }
      if (kind === 'invoices') {
        const p = period(opts.period, false);
        summary(await withOutput(opts.out, (out, endOutput) => exportInvoices(store, { ...(p === undefined ? {} : { period: p }), endOutput }, out)));
        return;
      }
      if (kind === 'entity') {
        if (entity === undefined || !isEntityName(entity)) throw new UsageError('export entity <name>: name a canonical entity, e.g. time_entry');
        summary(await withOutput(opts.out, (out, endOutput) => exportEntity(store, { entity, internal: opts.internal ?? false, endOutput }, out)));
        return;
      }
      throw new UsageError(`unknown export "${kind}" (one of ${KINDS.join(', ')})`);
    });
}
