import { z } from 'zod';
import { describeKind, type FieldKind } from '../field-kinds.ts';
import { problem, type Problem } from '../errors.ts';
import type { ParsedPath } from '../paths.ts';
import { coerce } from './pass.ts';
import { fromPath, ok, type Codec, type TargetContext } from './types.ts';

/** The value itself: `transform: { default: USD }`. */
export const DefaultOptions = z.union([z.string(), z.number()], { error: 'must be text or a number' });
export type DefaultOptions = z.infer<typeof DefaultOptions>;

export function checkDefault(value: DefaultOptions, target: TargetContext): Problem[] {
  const { kind, name, ref, cents } = target.field;
  if (ref || cents) {
    return [problem([], 'transform_target_mismatch', `default cannot write ${name}: it is ${ref ? 'a reference (use ref)' : 'an amount (use money)'}`)];
  }
  if (!coerce(value, kind).ok) {
    const code = kind.type === 'enum' ? 'enum_value_not_allowed' : 'transform_target_mismatch';
    return [problem(['default'], code, `${JSON.stringify(value)} is not ${describeKind(kind)}, which ${name} needs`)];
  }
  return [];
}

/**
 * The source's value checked like a pass-through, or the default when the source has nothing
 * (absent, null or blank). Without a path the value is a constant.
 */
export function defaultCodec(option: DefaultOptions, path: ParsedPath | null, kind: FieldKind): Codec {
  // Checked at load, so the coercion succeeds; it normalises `5` for a text field to "5".
  const coerced = coerce(option, kind);
  const value = coerced.ok ? coerced.value : option;
  if (path === null) return { name: 'default', inbound: () => ok(value), outbound: null, reads: [] };
  return {
    name: 'default',
    inbound: fromPath(path, (raw) => coerce(raw, kind), { absent: value, blank: value }),
    outbound: (v) => ok(v),
    reads: [path],
  };
}
