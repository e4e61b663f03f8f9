import type { z } from 'zod';
import { problem, type Problem } from '../errors.ts';
import type { FieldInfo } from '../field-kinds.ts';
import { issueProblems } from '../issues.ts';
import type { ParsedPath } from '../paths.ts';
import { ConcatOptions, checkConcat, concatCodec } from './concat.ts';
import { DateOptions, checkDate, dateCodec, checkDateOptions } from './date.ts';
import { DefaultOptions, checkDefault, defaultCodec } from './default.ts';
import { EnumOptions, checkEnum, enumCodec } from './enum.ts';
import { MoneyOptions, checkMoney, moneyCodec } from './money.ts';
import { NumberOptions, checkNumber, numberCodec } from './number.ts';
import { passCodec } from './pass.ts';
import { RefOptions, checkRef, refCodec } from './ref.ts';
import type { Codec, CodecEnv, TargetContext } from './types.ts';

export const TRANSFORM_NAMES = ['date', 'money', 'number', 'enum', 'concat', 'default', 'ref'] as const;
export type TransformName = (typeof TRANSFORM_NAMES)[number];

export type TransformSpec =
  | { readonly name: 'date'; readonly options: DateOptions }
  | { readonly name: 'money'; readonly options: MoneyOptions }
  | { readonly name: 'number'; readonly options: NumberOptions }
  | { readonly name: 'enum'; readonly options: EnumOptions }
  | { readonly name: 'concat'; readonly options: ConcatOptions }
  | { readonly name: 'default'; readonly options: DefaultOptions }
  | { readonly name: 'ref'; readonly options: RefOptions };

const OPTIONS: { readonly [K in TransformName]: z.ZodType<Extract<TransformSpec, { name: K }>['options']> } = {
  date: DateOptions,
  money: MoneyOptions,
  number: NumberOptions,
  enum: EnumOptions,
  concat: ConcatOptions,
  default: DefaultOptions,
  ref: RefOptions,
};

/** Transforms whose options are all optional may be written bare: `money:` or `money: {}`. */
const BARE_OK: ReadonlySet<TransformName> = new Set(['money', 'number']);

function isTransformName(name: string): name is TransformName {
  return (TRANSFORM_NAMES as readonly string[]).includes(name);
}

type Path = ReadonlyArray<string | number>;

export interface ParsedTransform {
  readonly spec: TransformSpec | null;
  /** Set when the block was a `$ref`: problems about it are reported at the block, not inside the definition. */
  readonly viaRef: string | null;
  readonly problems: Problem[];
}

function definitionName(ref: string): string {
  return ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : ref;
}

/**
 * Reads one transform block: exactly one known transform name with its options, or a `$ref` to a
 * definition. `definitions` is absent while the definitions themselves are read (no chains).
 */
export function parseTransform(raw: unknown, at: Path, definitions?: ReadonlyMap<string, TransformSpec | null>): ParsedTransform {
  const none = (p: Problem): ParsedTransform => ({ spec: null, viaRef: null, problems: [p] });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return none(problem(at, 'invalid_value', `a transform is a block naming one of ${TRANSFORM_NAMES.join(', ')}`));
  }
  const keys = Object.keys(raw);
  if (keys.includes('$ref')) {
    const ref = (raw as Record<string, unknown>)['$ref'];
    if (!definitions) return none(problem([...at, '$ref'], 'invalid_value', 'a definition cannot refer to another one'));
    if (keys.length > 1) return none(problem(at, 'invalid_value', '$ref stands alone in its block'));
    if (typeof ref !== 'string') return none(problem([...at, '$ref'], 'invalid_value', '$ref names a definition'));
    const name = definitionName(ref);
    if (!definitions.has(name)) return none(problem([...at, '$ref'], 'unknown_definition', `no definition "${name}"`));
    // A broken definition is reported where it is written, once.
    return { spec: definitions.get(name) ?? null, viaRef: name, problems: [] };
  }
  if (keys.length !== 1) {
    return none(problem(at, 'unknown_transform', keys.length === 0 ? 'empty transform block' : `one transform per field, not ${keys.join(' and ')}`));
  }
  const name = keys[0] as string;
  if (!isTransformName(name)) return none(problem(at, 'unknown_transform', `unknown transform "${name}"`));
  let options = (raw as Record<string, unknown>)[name];
  if (options === null && BARE_OK.has(name)) options = {};
  const parsed = OPTIONS[name].safeParse(options, { reportInput: true });
  if (!parsed.success) return { spec: null, viaRef: null, problems: issueProblems(parsed.error.issues, [...at, name]) };
  const spec = { name, options: parsed.data } as TransformSpec;
  const problems = spec.name === 'date' ? prefix(checkDateOptions(spec.options), at) : [];
  return { spec, viaRef: null, problems };
}

function prefix(problems: readonly Problem[], at: Path): Problem[] {
  return problems.map((p) => ({ ...p, path: [...at, ...p.path] }));
}

/** Load-time checks of a transform against the field it writes; paths relative to the block. */
export function checkTransform(spec: TransformSpec, target: TargetContext): Problem[] {
  switch (spec.name) {
    case 'date':
      return checkDate(spec.options, target);
    case 'money':
      return checkMoney(spec.options, target);
    case 'number':
      return checkNumber(spec.options, target);
    case 'enum':
      return checkEnum(spec.options, target);
    case 'concat':
      return checkConcat(spec.options, target);
    case 'default':
      return checkDefault(spec.options, target);
    case 'ref':
      return checkRef(spec.options, target);
  }
}

/** Which transforms can send a value back out. */
export function hasOutbound(spec: TransformSpec | null): boolean {
  return spec?.name !== 'concat';
}

/**
 * The codec of one field. `path` is null only for a constant default and for concat, whose
 * `paths` are its own; both are checked at load.
 */
export function compileTransform(
  spec: TransformSpec | null,
  field: FieldInfo,
  path: ParsedPath | null,
  concatPaths: readonly ParsedPath[],
  env: CodecEnv,
): Codec {
  if (spec?.name === 'concat') return concatCodec(spec.options, concatPaths);
  if (spec?.name === 'default') return defaultCodec(spec.options, path, field.kind);
  if (path === null) throw new Error(`${field.name}: no source path (the loader should have refused this)`);
  if (spec === null) return passCodec(path, field.kind);
  switch (spec.name) {
    case 'date':
      return dateCodec(spec.options, path, field.kind.type === 'datetime' ? 'datetime' : 'date');
    case 'money':
      return moneyCodec(spec.options, path);
    case 'number':
      return numberCodec(spec.options, path, field.kind.type === 'integer');
    case 'enum':
      return enumCodec(spec.options, path);
    case 'ref':
      return refCodec(spec.options, path, env);
  }
}
