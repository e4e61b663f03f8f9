import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { checkMappings, formatCheckReport, loadMappings, previewMapping } from '../../mapping/index.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, printTable } from '../output.ts';

export function registerMappings(program: Command, ctx: CliContext): void {
  const mappings = program.command('mappings').description('the ops-editable field mappings in mappings/');

  mappings
    .command('check')
    .description('load and validate every mapping file; each error names file, line and path')
    .option('--dir <dir>', 'mappings folder (default from config)')
    .option('--json', 'machine-readable output')
    .action((opts: { dir?: string; json?: boolean }) => {
      const config = ctx.config();
      const report = checkMappings(opts.dir ?? config.mappings, config.systems.map((s) => ({ id: s.id, connector: s.connector })));
      emit(opts, report, () => process.stdout.write(`${formatCheckReport(report)}\n`));
      if (!report.ok) process.exitCode = 1;
    });

  mappings
    .command('preview <system> <entity> <recordJson>')
    .description('map one vendor record (a JSON file, or - for stdin) to canonical and back, with each field\'s owner')
    .option('--json', 'machine-readable output')
    .action((system: string, entity: string, file: string, opts: { json?: boolean }) => {
      const config = ctx.config();
      const { registry, errors } = loadMappings(config.mappings, config.systems.map((s) => ({ id: s.id, connector: s.connector })));
      let record: unknown;
      try {
        record = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
      } catch (err) {
        throw new UsageError(`cannot read ${file} as JSON: ${err instanceof Error ? err.message : String(err)}`);
      }
      // A vendor GET wraps the record in {"data": …} (Bullhorn): preview the record itself.
      if (typeof record === 'object' && record !== null && 'data' in record && Object.keys(record).length === 1) record = record.data;
      const preview = previewMapping(registry, system, entity, record);
      emit(opts, { preview, loadErrors: errors.map((e) => e.toString()) }, () => {
        if (!preview.ok) {
          process.stdout.write(`cannot preview: ${preview.error}\n`);
          if (errors.length > 0) process.stdout.write(`mapping errors:\n  ${errors.map((e) => e.toString()).join('\n  ')}\n`);
          return;
        }
        const m = preview.mapping;
        process.stdout.write(`${m.file}: ${m.vendor} ${m.vendorEntity} → ${m.entity} (system ${m.system})\n`);
        process.stdout.write(`external id ${preview.incoming.externalId}, modified ${preview.incoming.sourceModifiedAt ?? '?'}${preview.incoming.invalid ? `\nINVALID: ${preview.incoming.invalid}` : ''}\n\n`);
        printTable(preview.fields.map((f) => ({ field: f.target, from: f.source ?? '', transform: f.transform, value: f.value === undefined ? '(absent)' : f.value, owner: `${f.owner}${f.ownerFrom === 'this file' ? '' : ` (${f.ownerFrom})`}`, direction: f.direction, conflict: f.conflict })));
        process.stdout.write(`\nand back (${preview.back.ok ? 'outbound fields' : 'cannot map back'}):\n${preview.back.ok ? JSON.stringify(preview.back.body, null, 2) : preview.back.error}\n`);
      });
      if (!preview.ok) process.exitCode = 1;
    });
}
