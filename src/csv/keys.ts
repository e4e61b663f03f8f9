import { hashIncoming } from '../engine/index.ts';
import type { BoundStage } from './binding.ts';
import type { ChunkContext } from './chunk-context.ts';
import { cellOf, errorAt, type Fail, type StageItem } from './rows.ts';

/**
 * Gives each item its stable row key and claims it in the file's seen keys: a second row with the
 * same key is a duplicate (both lines in the reason), or, for records that repeat on every row of
 * a group, must carry the same values.
 */
export function keyed(ctx: ChunkContext, stage: BoundStage, ns: number, items: readonly StageItem[], count: { repeated: number }, fail: Fail): StageItem[] {
  const natural = stage.def.naturalKey;
  const out: StageItem[] = [];
  for (const w of items) {
    if (natural !== null) {
      const parts: string[] = [];
      let missing: string | null = null;
      for (const field of natural) {
        const value = w.refs[field] ?? w.incoming.values[field];
        if (value === null || value === undefined || typeof value === 'object') {
          missing = field;
          break;
        }
        parts.push(String(value));
      }
      if (missing !== null) {
        const column = stage.fieldColumns.get(missing) ?? null;
        fail(w.row, errorAt(w.row, column, null, `${column ?? missing} is needed to identify the row`));
        continue;
      }
      w.key = parts.join('|');
      // The row's own record (fresh from the mapping): its external id becomes the natural key.
      (w.incoming as { externalId: string }).externalId = w.key;
    } else {
      w.key = w.incoming.externalId;
    }
    w.hash = hashIncoming(w.incoming);
    out.push(w);
  }
  // Only records that repeat on every row of a group compare their copies' values.
  const same = stage.def.repeats === 'same';
  const claims = ctx.seen.claimMany(ns, out.map((w) => ({ key: w.key as string, line: w.row.record.line, hash: same ? w.hash : null })));
  const what = keyDescription(stage);
  const columns = keyColumnNames(stage);
  const kept: StageItem[] = [];
  out.forEach((w, i) => {
    const claim = claims[i];
    if (claim === undefined || claim.first) {
      kept.push(w);
      return;
    }
    const cells = columns.map((c) => cellOf(stage, w.row.record, c) ?? '').join(' | ');
    if (stage.def.repeats === 'same') {
      if (claim.same) count.repeated++;
      else fail(w.row, errorAt(w.row, columns.join(' + '), cells, `differs from line ${claim.line}, which has the same ${what}`));
      return;
    }
    fail(w.row, errorAt(w.row, columns.join(' + '), cells, `duplicate of line ${claim.line}: the same ${what}`));
  });
  return kept;
}

function keyColumnNames(stage: BoundStage): string[] {
  const natural = stage.def.naturalKey;
  return natural === null ? [...stage.keyColumns] : natural.map((f) => stage.fieldColumns.get(f) ?? f);
}

function keyDescription(stage: BoundStage): string {
  const columns = keyColumnNames(stage);
  return columns.length === 1 ? (columns[0] as string) : `${columns.slice(0, -1).join(', ')} and ${columns.at(-1) as string}`;
}
