import { LineCounter, parseDocument } from 'yaml';
import { SHARED, type CreateRule } from '../engine/policy.ts';
import { ENTITIES, isEntityName, sensitiveKind, type EntityName } from '../model/index.ts';
import type { Scalar } from '../store/index.ts';
import { MappingError, formatPath, problem, type Problem } from './errors.ts';
import { fieldsOf, type FieldInfo } from './field-kinds.ts';
import { issueProblems } from './issues.ts';
import { lineOf } from './locate.ts';
import { overlaps, parsePath, type ParsedPath } from './paths.ts';
import { FieldSpec, MappingFileSpec } from './schema.ts';
import { checkTransform, hasOutbound, parseTransform, type TransformSpec } from './transforms/index.ts';
import type { DateOptions } from './transforms/date.ts';

type Path = ReadonlyArray<string | number>;
export type Direction = 'in' | 'out' | 'both';

/** Where a file sits: `mappings/<vendor>/…`, or `mappings/csv/<source>/…` with vendor `csv`. */
export interface Placement {
  readonly vendor: string;
  readonly source: string | null;
}

export interface CheckedField {
  readonly index: number;
  readonly target: string;
  readonly info: FieldInfo;
  readonly from: ParsedPath | null;
  readonly transform: TransformSpec | null;
  /** The definition the transform came from (`$ref`), for locating problems found later. */
  readonly viaRef: string | null;
  readonly concatPaths: readonly ParsedPath[];
  /** As written in the file; resolved to a system id when the file is bound to systems. */
  readonly owner: string | null;
  readonly direction: Direction;
  readonly conflict: 'manual' | 'latest';
}

/** A file that passed every check that does not depend on the configured systems. */
export interface CheckedMapping {
  readonly file: string;
  readonly vendor: string;
  readonly source: string | null;
  readonly vendorEntity: string;
  readonly entity: EntityName;
  readonly key: readonly ParsedPath[];
  readonly modifiedAt: { readonly path: ParsedPath; readonly date: DateOptions | null } | null;
  readonly deleted: { readonly path: ParsedPath; readonly equals: ReadonlyArray<Scalar | boolean> } | null;
  readonly match: {
    readonly canonicalId: ParsedPath | null;
    readonly links: ReadonlyArray<{ readonly system: string; readonly path: ParsedPath; readonly index: number }>;
    readonly email: ParsedPath | null;
    readonly unmatched: 'create' | 'review';
  };
  readonly create: CreateRule;
  /** Link bookkeeping: name → path in the vendor record. */
  readonly keep: ReadonlyArray<{ readonly name: string; readonly path: ParsedPath }>;
  readonly fields: readonly CheckedField[];
  /** Locates a later (cross-file, system) problem in this file. */
  readonly locate: (path: Path) => number;
}

export interface CheckResult {
  readonly mapping: CheckedMapping | null;
  readonly errors: MappingError[];
}

export function isOutbound(direction: Direction): boolean {
  return direction !== 'in';
}

/** The first YAML error's own words, without the code excerpt the yaml package appends. */
function yamlMessage(message: string, code?: string): string {
  if (code === 'MULTIPLE_DOCS') return 'invalid YAML: one document per file (remove the --- separator)';
  const cut = message.search(/ at line \d+, column \d+/);
  return `invalid YAML: ${(cut >= 0 ? message.slice(0, cut) : message.split('\n')[0] ?? message).trim()}`;
}

/** Reads, validates and prepares one mapping file. Never throws: every problem is a located error. */
export function checkFile(file: string, text: string, placement: Placement): CheckResult {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: true });
  const first = doc.errors[0];
  if (first) {
    return { mapping: null, errors: [new MappingError(file, first.linePos?.[0].line ?? 1, '', 'yaml_syntax', yamlMessage(first.message, first.code))] };
  }
  let data: unknown;
  try {
    // Anchors and aliases are fine; an alias bomb is not (the yaml package counts and throws).
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { mapping: null, errors: [new MappingError(file, 1, '', 'yaml_syntax', yamlMessage(err instanceof Error ? err.message : String(err)))] };
  }
  const locate = (path: Path) => lineOf(doc, counter, path);
  const located = (problems: readonly Problem[]) =>
    problems.map((p) => new MappingError(file, locate(p.path), formatPath(p.path), p.code, p.message));

  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { mapping: null, errors: [new MappingError(file, 1, '', 'invalid_value', 'a mapping file is a block of keys (vendor, entity, canonical, key, fields)')] };
  }
  const top = MappingFileSpec.safeParse(data, { reportInput: true });
  if (!top.success) return { mapping: null, errors: located(issueProblems(top.error.issues)) };
  const spec = top.data;

  // A malformed field is reported and left out of the later checks, which still run on the rest:
  // one pass shows every problem it safely can.
  const problems: Problem[] = [];
  const fields: Array<{ index: number; spec: FieldSpec }> = [];
  spec.fields.forEach((raw, index) => {
    const parsed = FieldSpec.safeParse(raw, { reportInput: true });
    if (parsed.success) fields.push({ index, spec: parsed.data });
    else problems.push(...issueProblems(parsed.error.issues, ['fields', index]));
  });
  const complete = problems.length === 0;

  const built = buildChecked(spec, fields, placement, problems, complete);
  if (problems.length > 0 || built === null) return { mapping: null, errors: located(problems) };
  return { mapping: { file, ...built, locate }, errors: [] };
}

/**
 * The denylist over a whole path and each of its parts. `sensitiveKind` splits on `.`, `[` and `]`
 * but not on `=`, so a filter (`custom_fields[name=tin].value`) is checked key and value apart:
 * the anchored patterns (`^tin$`, `^dob$`) would otherwise miss it.
 */
export function sensitivePath(path: ParsedPath): string | null {
  const parts: string[] = [path.text];
  for (const seg of path.segments) {
    if (seg.kind === 'key') parts.push(seg.name);
    else if (seg.kind === 'filter') parts.push(...seg.key, seg.value);
  }
  for (const part of parts) {
    const kind = sensitiveKind(part);
    if (kind) return kind;
  }
  return null;
}

/** Parses a path and refuses sensitive ones; null when either check failed (a problem is recorded). */
function readSourcePath(text: string, at: Path, problems: Problem[]): ParsedPath | null {
  const parsed = parsePath(text);
  if (!parsed.ok) {
    problems.push(problem(at, 'bad_path', `bad path "${text}": ${parsed.reason}`));
    return null;
  }
  const kind = sensitivePath(parsed.path);
  if (kind) {
    problems.push(problem(at, 'sensitive_field', `"${text}" looks like ${kind} data, which the hub never reads`));
    return null;
  }
  return parsed.path;
}

function buildChecked(
  spec: MappingFileSpec,
  fieldSpecs: ReadonlyArray<{ index: number; spec: FieldSpec }>,
  placement: Placement,
  problems: Problem[],
  complete: boolean,
): Omit<CheckedMapping, 'file' | 'locate'> | null {
  // Where the file is must agree with what it says it is.
  if (placement.source !== null) {
    if (spec.vendor !== 'csv') problems.push(problem(['vendor'], 'vendor_mismatch', `vendor must be csv in the csv folder, not "${spec.vendor}"`));
    if (spec.source === undefined) problems.push(problem(['source'], 'missing_key', 'required key is missing'));
    else if (spec.source !== placement.source) {
      problems.push(problem(['source'], 'vendor_mismatch', `source "${spec.source}" does not match its folder "${placement.source}"`));
    }
  } else {
    if (spec.vendor !== placement.vendor) {
      problems.push(problem(['vendor'], 'vendor_mismatch', `vendor "${spec.vendor}" does not match its folder "${placement.vendor}"`));
    }
    if (spec.source !== undefined) problems.push(problem(['source'], 'invalid_value', 'source is for CSV mappings only (mappings/csv/<source>/)'));
  }
  const entityKind = sensitiveKind(spec.entity);
  if (entityKind) problems.push(problem(['entity'], 'sensitive_field', `vendor entity "${spec.entity}" looks like ${entityKind} data, which the hub never reads`));

  let entity: EntityName | null = null;
  if (!isEntityName(spec.canonical)) problems.push(problem(['canonical'], 'unknown_entity', `"${spec.canonical}" is not a canonical entity`));
  else if (ENTITIES[spec.canonical].appendOnly) problems.push(problem(['canonical'], 'unknown_entity', `${spec.canonical} is written by the hub itself, never mapped`));
  else entity = spec.canonical;

  const keyTexts = typeof spec.key === 'string' ? [spec.key] : spec.key;
  const key = keyTexts.map((text, i) => readSourcePath(text, typeof spec.key === 'string' ? ['key'] : ['key', i], problems));

  let modifiedAt: CheckedMapping['modifiedAt'] = null;
  if (spec.modifiedAt) {
    const path = readSourcePath(spec.modifiedAt.from, ['modifiedAt', 'from'], problems);
    let date: DateOptions | null = null;
    if (spec.modifiedAt.transform !== undefined) {
      const t = parseTransform(spec.modifiedAt.transform, ['modifiedAt', 'transform']);
      problems.push(...t.problems);
      if (t.spec && t.spec.name !== 'date') {
        problems.push(problem(['modifiedAt', 'transform'], 'transform_target_mismatch', `modifiedAt takes a date transform, not ${t.spec.name}`));
      } else if (t.spec?.name === 'date') date = t.spec.options;
    }
    if (path) modifiedAt = { path, date };
  }

  let deleted: CheckedMapping['deleted'] = null;
  if (spec.deleted) {
    const path = readSourcePath(spec.deleted.from, ['deleted', 'from'], problems);
    if (path) deleted = { path, equals: Array.isArray(spec.deleted.equals) ? spec.deleted.equals : [spec.deleted.equals] };
  }

  const m = spec.match ?? {};
  const canonicalId = m.canonicalId === undefined ? null : readSourcePath(m.canonicalId, ['match', 'canonicalId'], problems);
  const email = m.email === undefined ? null : readSourcePath(m.email, ['match', 'email'], problems);
  if (m.email !== undefined && entity && !ENTITIES[entity].emailField) {
    problems.push(problem(['match', 'email'], 'email_match_unsupported', `${entity} has no email field to match on`));
  }
  const links: Array<{ system: string; path: ParsedPath; index: number }> = [];
  (m.links ?? []).forEach((link, index) => {
    const path = readSourcePath(link.from, ['match', 'links', index, 'from'], problems);
    if (path) links.push({ system: link.system, path, index });
  });

  const keep: Array<{ name: string; path: ParsedPath }> = [];
  for (const [name, from] of Object.entries(spec.keep ?? {})) {
    const path = readSourcePath(from, ['keep', name], problems);
    if (path) keep.push({ name, path });
  }

  // Definitions first, so fields can refer to them.
  const definitions = new Map<string, TransformSpec | null>();
  for (const [name, raw] of Object.entries(spec.definitions ?? {})) {
    const t = parseTransform(raw, ['definitions', name]);
    problems.push(...t.problems);
    definitions.set(name, t.spec);
  }

  const fields = entity ? checkFields(entity, fieldSpecs, definitions, problems) : [];
  // Whether anything goes out is only known when every field could be read.
  const create = entity && complete ? checkCreate(entity, spec.push?.create, fields, problems) : ({ kind: 'never' } as const);

  if (problems.length > 0 || entity === null || key.some((k) => k === null)) return null;
  return {
    vendor: spec.vendor,
    source: placement.source,
    vendorEntity: spec.entity,
    entity,
    key: key as ParsedPath[],
    modifiedAt,
    deleted,
    match: { canonicalId, links, email, unmatched: m.unmatched ?? 'create' },
    create,
    keep,
    fields,
  };
}

function checkFields(
  entity: EntityName,
  specs: ReadonlyArray<{ index: number; spec: FieldSpec }>,
  definitions: ReadonlyMap<string, TransformSpec | null>,
  problems: Problem[],
): CheckedField[] {
  const known = fieldsOf(entity);
  const seen = new Map<string, number>();
  const out: CheckedField[] = [];
  for (const { index, spec } of specs) {
    const at = (...rest: Array<string | number>): Path => ['fields', index, ...rest];
    const before = problems.length;
    const direction = spec.direction ?? 'in';

    const sensitive = sensitiveKind(spec.target);
    let info: FieldInfo | undefined;
    if (sensitive) problems.push(problem(at('target'), 'sensitive_field', `"${spec.target}" is ${sensitive} data, which the hub never holds`));
    else {
      info = known.get(spec.target);
      if (!info) problems.push(problem(at('target'), 'unknown_target', `"${spec.target}" is not a field of ${entity}`));
      const earlier = seen.get(spec.target);
      if (earlier !== undefined) problems.push(problem(at('target'), 'duplicate_target', `${spec.target} is already written by fields[${earlier}]`));
      else seen.set(spec.target, index);
    }

    const from = spec.from === undefined ? null : readSourcePath(spec.from, at('from'), problems);
    const parsed = spec.transform === undefined ? null : parseTransform(spec.transform, at('transform'), definitions);
    if (parsed) problems.push(...parsed.problems);
    const transform = parsed?.spec ?? null;

    const concatPaths: ParsedPath[] = [];
    if (transform?.name === 'concat') {
      transform.options.from.forEach((text, i) => {
        // A concat from a definition is reported at the field: its paths are the definition's.
        const where = parsed?.viaRef ? at('transform') : at('transform', 'concat', 'from', i);
        const p = readSourcePath(text, where, problems);
        if (p) concatPaths.push(p);
      });
      if (spec.from !== undefined) problems.push(problem(at('from'), 'invalid_value', 'concat reads the paths in its own from list: remove this from'));
    } else if (spec.from === undefined && transform?.name !== 'default' && (parsed === null || parsed.problems.length === 0)) {
      problems.push(problem(at(), 'missing_source', `${spec.target} needs from (only concat and default go without)`));
    }
    if (spec.from === undefined && isOutbound(direction) && transform?.name !== 'concat') {
      problems.push(problem(at('direction'), 'missing_source', `${spec.target} goes ${direction === 'out' ? 'out' : 'both ways'} but has no from to write`));
    }

    if (info && transform !== null && parsed) problems.push(...targetProblems(transform, info, direction, at('transform'), parsed.viaRef));
    else if (info && transform === null && spec.transform === undefined) problems.push(...passProblems(info, at()));

    if (spec.conflict === 'latest' && spec.owner !== undefined && spec.owner !== SHARED) {
      problems.push(problem(at('conflict'), 'conflict_needs_shared', `conflict: latest applies to shared fields; ${spec.target} is owned by ${spec.owner}`));
    }
    if (problems.length === before && info) {
      out.push({
        index, target: spec.target, info, from, transform, viaRef: parsed?.viaRef ?? null, concatPaths, owner: spec.owner ?? null, direction, conflict: spec.conflict ?? 'manual',
      });
    }
  }
  const outbound = out.filter((f) => isOutbound(f.direction) && f.from !== null);
  outbound.forEach((f, i) => {
    const clash = outbound.slice(0, i).find((g) => g.from && f.from && overlaps(g.from, f.from));
    if (clash) {
      problems.push(problem(['fields', f.index, 'from'], 'outbound_path_clash', `${f.from?.text ?? ''} collides with fields[${clash.index}] (${clash.from?.text ?? ''}) on the way out`));
    }
  });
  return out;
}

/** Reference and money fields need their transform; everything else may pass through. */
function passProblems(info: FieldInfo, at: Path): Problem[] {
  if (info.ref) return [problem(at, 'ref_required', `${info.name} is a reference to ${info.ref}: add transform { ref: { entity: ${info.ref} } }`)];
  if (info.cents) return [problem(at, 'money_required', `${info.name} holds cents: add transform { money: {} }`)];
  return [];
}

function targetProblems(spec: TransformSpec, info: FieldInfo, direction: Direction, at: Path, viaRef: string | null): Problem[] {
  if (info.ref && spec.name !== 'ref' && spec.name !== 'default') {
    return [problem(at, 'ref_required', `${info.name} is a reference to ${info.ref}: use ref, not ${spec.name}`)];
  }
  if (info.cents && spec.name !== 'money' && spec.name !== 'default' && spec.name !== 'number') {
    return [problem(at, 'money_required', `${info.name} holds cents: use money, not ${spec.name}`)];
  }
  const raw = checkTransform(spec, { field: info, outbound: isOutbound(direction) });
  // Problems in a shared definition are reported at the field that uses it, with the definition named.
  if (viaRef !== null) return raw.map((p) => ({ ...p, path: at, message: `${p.message} (definition ${viaRef})` }));
  return raw.map((p) => ({ ...p, path: [...at, ...p.path] }));
}

function checkCreate(entity: EntityName, raw: unknown, fields: readonly CheckedField[], problems: Problem[]): CreateRule {
  if (raw === undefined || raw === 'never') return { kind: 'never' };
  const hasOut = fields.some((f) => isOutbound(f.direction) && hasOutbound(f.transform));
  if (!hasOut) problems.push(problem(['push', 'create'], 'push_without_outbound', 'the hub cannot create a record here: no field goes out'));
  if (raw === 'always') return { kind: 'always' };
  const when = (raw as { when: Record<string, Array<Scalar | boolean>> }).when;
  const known = fieldsOf(entity);
  const out: Record<string, Scalar[]> = {};
  for (const [field, values] of Object.entries(when)) {
    const info = known.get(field);
    if (!info) {
      problems.push(problem(['push', 'create', 'when', field], 'unknown_target', `"${field}" is not a field of ${entity}`));
      continue;
    }
    const list: Scalar[] = [];
    values.forEach((value, i) => {
      const okValue = value === null || (typeof value !== 'boolean' && (info.kind.type !== 'enum' || (typeof value === 'string' && info.kind.values.includes(value))));
      if (!okValue) {
        problems.push(problem(['push', 'create', 'when', field, i], 'enum_value_not_allowed', `${field} is never ${JSON.stringify(value)}`));
      } else list.push(value);
    });
    out[field] = list;
  }
  return { kind: 'when', when: out };
}
