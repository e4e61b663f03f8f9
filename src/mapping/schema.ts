import { z } from 'zod';

/**
 * The shape of a mapping file, checked with located errors. Transform blocks are read separately
 * (`transforms/index.ts`) so an unknown transform is reported as one, not as a union failure.
 */

const Path = z.string().min(1).max(500);
const Name = z.string().min(1).max(100);
const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], { error: 'must be text, a number, true/false or null' });

export const FieldSpec = z.strictObject({
  /** The canonical field written. */
  target: Name,
  /** Vendor path read (and written, outbound). Only `concat` and a constant `default` go without. */
  from: Path.optional(),
  transform: z.unknown().optional(),
  /** `portal`, `shared`, or a system (id, or connector name used by one system). */
  owner: Name.optional(),
  /** @defaultValue 'in' */
  direction: z.enum(['in', 'out', 'both']).optional(),
  /** @defaultValue 'manual' */
  conflict: z.enum(['manual', 'latest']).optional(),
});
export type FieldSpec = z.infer<typeof FieldSpec>;

const CreateRule = z.union(
  [z.literal('never'), z.literal('always'), z.strictObject({ when: z.record(z.string(), z.array(Scalar).min(1)) })],
  { error: 'must be never, always, or { when: { field: [values] } }' },
);

export const MappingFileSpec = z.strictObject({
  vendor: Name,
  /** CSV files only: the source folder name. */
  source: Name.optional(),
  /** The vendor's entity name, as the connector knows it. */
  entity: Name,
  /** The canonical entity. */
  canonical: Name,
  /** Path of the vendor's id, or several paths joined with `|` (a CSV row with no id of its own). */
  key: z.union([Path, z.array(Path).min(1).max(5)], { error: 'must be a path or a list of paths' }),
  modifiedAt: z.strictObject({ from: Path, transform: z.unknown().optional() }).optional(),
  deleted: z
    .strictObject({ from: Path, equals: z.union([Scalar, z.array(Scalar).min(1)], { error: 'must be a value or a list of values' }) })
    .optional(),
  match: z
    .strictObject({
      canonicalId: Path.optional(),
      links: z.array(z.strictObject({ system: Name, from: Path })).optional(),
      email: Path.optional(),
      /** @defaultValue 'create' */
      unmatched: z.enum(['create', 'review']).optional(),
    })
    .optional(),
  push: z.strictObject({ create: CreateRule.optional() }).optional(),
  /**
   * Vendor bookkeeping kept on the record's link (`links.meta`), not canonical data: name → path
   * (ADP's company code and file number, which pushes and the payroll file need).
   */
  keep: z.record(Name, Path).optional(),
  definitions: z.record(Name, z.unknown()).optional(),
  fields: z.array(z.unknown()).min(1),
});
export type MappingFileSpec = z.infer<typeof MappingFileSpec>;
