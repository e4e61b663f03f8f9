import { z } from 'zod';
import { describeKind } from '../field-kinds.ts';
import { problem, type Problem } from '../errors.ts';
import { readPath, type ParsedPath } from '../paths.ts';
import { fail, isBlank, ok, shapeOf, trimText, type Codec, type TargetContext } from './types.ts';

export const ConcatOptions = z.strictObject({
  from: z.array(z.string().min(1)).min(2).max(10),
  /** @defaultValue ' ' */
  separator: z.string().max(10).optional(),
});
export type ConcatOptions = z.infer<typeof ConcatOptions>;

export function checkConcat(_options: ConcatOptions, target: TargetContext): Problem[] {
  const problems: Problem[] = [];
  const { kind, ref, name } = target.field;
  if (kind.type !== 'string' || ref) {
    problems.push(problem([], 'transform_target_mismatch', `concat writes text; ${name} is ${ref ? `a reference to ${ref}` : describeKind(kind)}`));
  }
  if (target.outbound) problems.push(problem([], 'concat_outbound', `concat is inbound only: ${name} cannot go out (direction must be in)`));
  return problems;
}

/**
 * Joins the parts that have a value, skipping blanks: first + last name, address lines. All parts
 * absent leaves the field out; all blank gives null.
 */
export function concatCodec(options: ConcatOptions, paths: readonly ParsedPath[]): Codec {
  const separator = options.separator ?? ' ';
  return {
    name: 'concat',
    inbound: (record) => {
      const parts: string[] = [];
      let present = false;
      for (const path of paths) {
        const raw = readPath(record, path);
        if (raw === undefined) continue;
        present = true;
        if (isBlank(raw)) continue;
        if (typeof raw === 'string') parts.push(trimText(raw));
        else if (typeof raw === 'number' && Number.isFinite(raw)) parts.push(String(raw));
        else return fail(`${shapeOf(raw)} at ${path.text} cannot be joined as text`);
      }
      if (!present) return ok(undefined);
      return ok(parts.length > 0 ? parts.join(separator) : null);
    },
    outbound: null,
    reads: paths,
  };
}
