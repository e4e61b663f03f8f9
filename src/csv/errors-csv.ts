import type { Writable } from 'node:stream';
import type { Store } from '../store/index.ts';
import { createCsvWriter } from './write.ts';

export const ERROR_COLUMNS = ['line', 'column', 'value', 'reason'] as const;

/**
 * An import's problems as CSV, for billing to fix their sheet: line, column, the (masked) value
 * and the reason, with the same neutralisation, BOM and quoting as every export.
 */
export async function writeImportErrors(store: Store, importId: string, out: Writable, options: { endOutput?: boolean } = {}): Promise<{ rows: number }> {
  const writer = createCsvWriter(out, ERROR_COLUMNS, { endOutput: options.endOutput ?? true });
  let after = -1;
  for (;;) {
    const page = await store.repos.imports.errors(importId, { afterSeq: after, limit: 5000 });
    for (const e of page) await writer.write([e.line, e.column, e.value, e.reason]);
    if (page.length < 5000) break;
    after = (page.at(-1) as { seq: number }).seq;
  }
  await writer.end();
  return { rows: writer.rows };
}

/** The same, from problems held in memory (a dry run's). */
export async function writeErrorList(errors: ReadonlyArray<{ line: number; column: string | null; value: string | null; reason: string }>, out: Writable, options: { endOutput?: boolean } = {}): Promise<{ rows: number }> {
  const writer = createCsvWriter(out, ERROR_COLUMNS, { endOutput: options.endOutput ?? true });
  for (const e of errors) await writer.write([e.line, e.column, e.value, e.reason]);
  await writer.end();
  return { rows: writer.rows };
}
