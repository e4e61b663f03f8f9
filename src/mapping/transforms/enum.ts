import { z } from 'zod';
import type { Scalar } from '../../store/index.ts';
import { describeKind, type FieldKind } from '../field-kinds.ts';
import { problem, type Problem } from '../errors.ts';
import type { ParsedPath } from '../paths.ts';
import { fail, fromPath, ok, shapeOf, type Codec, type TargetContext } from './types.ts';

const Canonical = z.union([z.string(), z.number(), z.null()], { error: 'must be text, a number or null' });
const VendorValue = z.union([z.string(), z.number(), z.boolean(), z.null()], { error: 'must be text, a number, true/false or null' });

export const EnumOptions = z.strictObject({
  /** vendor value → canonical value. YAML keys are text: vendor numbers and booleans match by their text. */
  map: z.record(z.string(), Canonical).refine((m) => Object.keys(m).length > 0, 'needs at least one entry'),
  /** Canonical value for anything not in `map`, null or blank included. @defaultValue none: unknown values are refused */
  default: Canonical.optional(),
  /** canonical value → vendor value for the way out; entries missing here come from inverting `map`. */
  reverse: z.record(z.string(), VendorValue).optional(),
  /** Match vendor values without regard to case. @defaultValue false */
  ignoreCase: z.boolean().optional(),
});
export type EnumOptions = z.infer<typeof EnumOptions>;

/** Whether the canonical field can hold the value exactly as written (no conversion on the way). */
function allowed(kind: FieldKind, nullable: boolean, value: Scalar): boolean {
  if (value === null) return nullable;
  switch (kind.type) {
    case 'enum':
      return typeof value === 'string' && kind.values.includes(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'date':
    case 'datetime':
      return false;
  }
}

/** The reverse map as used on the way out, and the canonical values it cannot decide. */
function reverseOf(options: EnumOptions): { map: Map<string, Scalar | boolean>; ambiguous: string[] } {
  const derived = new Map<string, string[]>();
  for (const [vendor, canonical] of Object.entries(options.map)) {
    if (canonical === null) continue;
    const key = String(canonical);
    derived.set(key, [...(derived.get(key) ?? []), vendor]);
  }
  const map = new Map<string, Scalar | boolean>();
  const ambiguous: string[] = [];
  for (const [canonical, vendors] of derived) {
    if (vendors.length === 1 && vendors[0] !== undefined) map.set(canonical, vendors[0]);
    else ambiguous.push(canonical);
  }
  for (const [canonical, vendor] of Object.entries(options.reverse ?? {})) map.set(canonical, vendor);
  return { map, ambiguous: ambiguous.filter((c) => !Object.prototype.hasOwnProperty.call(options.reverse ?? {}, c)) };
}

export function checkEnum(options: EnumOptions, target: TargetContext): Problem[] {
  const { kind, nullable, name, cents, ref } = target.field;
  const problems: Problem[] = [];
  if (cents || ref) {
    return [problem([], 'transform_target_mismatch', `enum cannot write ${name}: it is ${cents ? 'an amount (use money)' : 'a reference (use ref)'}`)];
  }
  if (kind.type === 'date' || kind.type === 'datetime') {
    return [problem([], 'transform_target_mismatch', `enum cannot write ${name}: it is ${describeKind(kind)}`)];
  }
  const notAllowed = (where: Array<string | number>, value: Scalar) =>
    problem(['enum', ...where], 'enum_value_not_allowed', `${name} cannot be ${value === null ? 'null' : JSON.stringify(value)}; it is ${describeKind(kind)}${nullable ? ' or null' : ''}`);
  for (const [vendor, canonical] of Object.entries(options.map)) {
    if (!allowed(kind, nullable, canonical)) problems.push(notAllowed(['map', vendor], canonical));
  }
  if (options.default !== undefined && !allowed(kind, nullable, options.default)) problems.push(notAllowed(['default'], options.default));
  for (const canonical of Object.keys(options.reverse ?? {})) {
    const value = kind.type === 'integer' || kind.type === 'number' ? Number(canonical) : canonical;
    if (!allowed(kind, false, value)) problems.push(notAllowed(['reverse', canonical], canonical));
  }
  if (target.outbound) {
    for (const canonical of reverseOf(options).ambiguous) {
      const vendors = Object.entries(options.map).filter(([, c]) => c !== null && String(c) === canonical).map(([v]) => JSON.stringify(v));
      problems.push(problem(['enum', 'map'], 'enum_reverse_ambiguous', `${vendors.join(' and ')} ${vendors.length > 2 ? 'all' : 'both'} map to ${JSON.stringify(canonical)}: say which one goes out in reverse`));
    }
  }
  return problems;
}

export function enumCodec(options: EnumOptions, path: ParsedPath): Codec {
  const fold = (s: string) => (options.ignoreCase ? s.toLowerCase() : s);
  const lookup = new Map<string, Scalar>();
  for (const [vendor, canonical] of Object.entries(options.map)) lookup.set(fold(vendor), canonical);
  const { map: reverse } = reverseOf(options);
  const known = Object.keys(options.map).map((k) => JSON.stringify(k)).join(', ');
  const whenBlank = options.default === undefined ? {} : { blank: options.default };
  return {
    name: 'enum',
    inbound: fromPath(
      path,
      (raw) => {
        if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') return fail(`${shapeOf(raw)} is not a single value`);
        const hit = lookup.get(fold(typeof raw === 'string' ? raw.trim() : String(raw)));
        if (hit !== undefined) return ok(hit);
        if (options.default !== undefined) return ok(options.default);
        return fail(`${shapeOf(raw)} is not a known value (expected ${known})`);
      },
      whenBlank,
    ),
    outbound: (value) => {
      if (value === null) return ok(null);
      const vendor = reverse.get(String(value));
      return vendor === undefined ? fail(`no vendor value for ${JSON.stringify(value)} (add it to reverse)`) : ok(vendor);
    },
    reads: [path],
  };
}
