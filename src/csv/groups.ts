import type { ChunkContext } from './chunk-context.ts';
import { cellOf, errorAt, type RowError, type RowState, type StageItem } from './rows.ts';

/** Namespace of group keys in the seen-keys file (stages use their index). */
const GROUP_NS = 1000;

/**
 * Invoice groups: the lines of one invoice come together (a number seen in an earlier group is an
 * error), and add up to the invoice's total.
 */
export function checkGroups(ctx: ChunkContext, rows: readonly RowState[], items: ReadonlyArray<readonly StageItem[]>, errors: RowError[]): void {
  const groups: Array<{ key: string; rows: RowState[] }> = [];
  for (const row of rows) {
    const last = groups.at(-1);
    if (last && last.rows[0]?.run === row.run) last.rows.push(row);
    else groups.push({ key: row.group ?? '', rows: [row] });
  }
  const groupColumn = ctx.binding.stages[0]?.fieldColumns.get(ctx.binding.kind.groupBy ?? '') ?? null;
  const claims = ctx.seen.claimMany(GROUP_NS, groups.map((g) => ({ key: g.key, line: (g.rows[0] as RowState).record.line, hash: null })));
  const header = ctx.binding.stages[0];
  const lines = ctx.binding.stages[1];
  const headerOf = new Map((items[0] ?? []).map((w) => [w.row, w]));
  const lineOf = new Map((items[1] ?? []).map((w) => [w.row, w]));
  groups.forEach((g, i) => {
    const claim = claims[i];
    const first = g.rows[0] as RowState;
    if (g.key === '') return;
    if (claim !== undefined && !claim.first) {
      for (const row of g.rows) {
        if (row.dead) continue;
        row.dead = true;
        errors.push(errorAt(row, groupColumn, g.key, `the lines of invoice ${g.key} must come together: it already appeared on line ${claim.line}`));
      }
      return;
    }
    if (g.rows.some((r) => r.dead) || !header || !lines) return;
    const total = headerOf.get(first)?.incoming.values['totalCents'];
    let sum = 0;
    for (const row of g.rows) {
      const amount = lineOf.get(row)?.incoming.values['amountCents'];
      if (typeof amount === 'number') sum += amount;
    }
    if (typeof total === 'number' && sum !== total) {
      const column = header.fieldColumns.get('totalCents') ?? null;
      first.dead = true;
      errors.push(errorAt(first, column, column === null ? null : cellOf(header, first.record, column), `the lines of invoice ${g.key} add up to ${money(sum)}, not ${money(total)}`));
    }
  });
}

/** A group with a bad row is not imported at all: its other rows say why. */
export function killGroups(rows: readonly RowState[], errors: RowError[]): void {
  const bad = new Map<number, number>();
  for (const row of rows) if (row.dead && row.group !== null && row.group !== '' && !bad.has(row.run)) bad.set(row.run, row.record.line);
  if (bad.size === 0) return;
  for (const row of rows) {
    const line = row.group === null || row.group === '' ? undefined : bad.get(row.run);
    if (line === undefined || row.dead) continue;
    row.dead = true;
    errors.push(errorAt(row, null, null, `not imported: invoice ${row.group ?? ''} has a problem on line ${line}`));
  }
}

function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
