import type { Writable } from 'node:stream';
import { z } from 'zod';
import { ENTITIES, entityFields, type EntityName } from '../model/index.ts';
import type { Store } from '../store/index.ts';
import { createCsvWriter, type Cell } from './write.ts';

export interface EntityExportOptions {
  readonly entity: EntityName;
  /** Every field, pay rates included; otherwise only the fields a client may see. @defaultValue false */
  readonly internal?: boolean;
  /** Rows read per page. @defaultValue 5000 */
  readonly pageRows?: number;
  /** End the output stream when done (false for stdout). @defaultValue true */
  readonly endOutput?: boolean;
}

export interface EntityExportResult {
  readonly rows: number;
  readonly columns: readonly string[];
}

function isNumeric(schema: z.ZodType): boolean {
  const inner = schema instanceof z.ZodNullable ? (schema.unwrap() as z.ZodType) : schema;
  return inner instanceof z.ZodNumber;
}

/** The columns an entity export writes: `id`, then its fields (client-visible ones unless internal). */
export function entityColumns(entity: EntityName, internal: boolean): string[] {
  const visible = new Set(ENTITIES[entity].clientVisible);
  return entityFields(entity).filter((f) => internal || visible.has(f));
}

/**
 * Any canonical entity as CSV: live rows in id order, read a page at a time straight off the
 * table (no per-row objects), numbers as numbers, text neutralised. Client-visible columns unless
 * `internal`: pay rates and margins never leave in a client export.
 */
export async function exportEntity(store: Store, options: EntityExportOptions, out: Writable): Promise<EntityExportResult> {
  const fields = entityColumns(options.entity, options.internal ?? false);
  const shape = ENTITIES[options.entity].schema.shape as Record<string, z.ZodType>;
  const numeric = [false, ...fields.map((f) => isNumeric(shape[f] as z.ZodType))];
  const writer = createCsvWriter(out, ['id', ...fields], { endOutput: options.endOutput ?? true });
  const pageRows = options.pageRows ?? 5000;
  let after: string | null = null;
  for (;;) {
    const page = await store.repos.imports.pageRaw(options.entity, fields, after, pageRows);
    for (const row of page) {
      const cells: Cell[] = new Array<Cell>(row.length);
      for (let i = 0; i < row.length; i++) {
        const v = row[i] ?? null;
        cells[i] = v === null ? null : numeric[i] ? Number(v) : String(v);
      }
      await writer.write(cells);
    }
    if (page.length < pageRows) break;
    after = String(page.at(-1)?.[0]);
  }
  await writer.end();
  return { rows: writer.rows, columns: ['id', ...fields] };
}
