import type { IncomingRecord, IncomingValue, MatchHints } from '../engine/types.ts';
import type { CreateRule } from '../engine/policy.ts';
import type { EntityName } from '../model/index.ts';
import type { Scalar } from '../store/index.ts';
import { describeFormat, parseDate, parseIsoDateTime, toCanonical } from './dates.ts';
import { fieldNames, readPath, writePath, type ParsedPath } from './paths.ts';
import { compileTransform } from './transforms/index.ts';
import { isBlank, shapeOf, type Codec, type OutboundContext, type RefResolver } from './transforms/types.ts';
import { isOutbound, type CheckedMapping, type Direction } from './validate.ts';

export type IncomingResult = { readonly ok: true; readonly record: IncomingRecord } | { readonly ok: false; readonly error: string };
export type VendorBody = Record<string, unknown>;
export type VendorResult = { readonly ok: true; readonly body: VendorBody } | { readonly ok: false; readonly error: string };

/** One field of a compiled mapping, as the registry and the preview see it. */
export interface MappedField {
  readonly target: string;
  /** The vendor path, or the joined paths of a concat; null for a constant. */
  readonly source: string | null;
  readonly direction: Direction;
  readonly conflict: 'manual' | 'latest';
  /** The owner this file names (resolved to a system id), or null when it names none. */
  readonly owner: string | null;
  /** `pass` when no transform is given. */
  readonly transform: string;
  readonly codec: Codec;
  readonly path: ParsedPath | null;
}

/** System names as resolved when the file was bound to the configured systems. */
export interface Binding {
  readonly owners: ReadonlyMap<number, string>;
  readonly links: ReadonlyArray<{ readonly system: string; readonly path: ParsedPath }>;
  readonly resolveSystem: (name: string) => string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function idText(raw: unknown): string | null {
  if (typeof raw === 'string') return raw.trim() === '' ? null : raw.trim();
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  return null;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * One mapping file bound to one system: vendor record → `IncomingRecord` and canonical values →
 * vendor body. Never throws on bad data: a record without a key is `ok: false`, a field that does
 * not convert makes the record `invalid` (the engine rejects it in the ledger, the batch goes on).
 */
export class CompiledMapping {
  readonly vendor: string;
  readonly vendorEntity: string;
  readonly entity: EntityName;
  readonly file: string;
  /** The CSV source name for `mappings/csv/<source>/`, else null. */
  readonly source: string | null;
  readonly fields: readonly MappedField[];
  readonly match: { readonly byEmail: boolean; readonly unmatched: 'create' | 'review' };
  readonly create: CreateRule;
  private readonly inbound: readonly MappedField[];
  private readonly outbound: readonly MappedField[];

  constructor(
    readonly system: string,
    private readonly checked: CheckedMapping,
    private readonly binding: Binding,
  ) {
    this.vendor = checked.vendor;
    this.vendorEntity = checked.vendorEntity;
    this.entity = checked.entity;
    this.file = checked.file;
    this.source = checked.source;
    this.create = checked.create;
    this.match = { byEmail: checked.match.email !== null, unmatched: checked.match.unmatched };
    const env = { system, resolveSystem: binding.resolveSystem };
    this.fields = checked.fields.map((f) => ({
      target: f.target,
      source: f.transform?.name === 'concat' ? f.concatPaths.map((p) => p.text).join(' + ') : (f.from?.text ?? null),
      direction: f.direction,
      conflict: f.conflict,
      owner: binding.owners.get(f.index) ?? null,
      transform: f.transform?.name ?? 'pass',
      codec: compileTransform(f.transform, f.info, f.from, f.concatPaths, env),
      path: f.from,
    }));
    this.inbound = this.fields.filter((f) => f.direction !== 'out');
    this.outbound = this.fields.filter((f) => isOutbound(f.direction) && f.codec.outbound !== null && f.path !== null);
  }

  /** The line of a path inside the file (`['fields', 3]`), for problems found after loading. */
  lineOf(path: ReadonlyArray<string | number>): number {
    return this.checked.locate(path);
  }

  /** Canonical fields carried inward (`in` or `both`). */
  inboundFields(): readonly MappedField[] {
    return this.inbound;
  }

  /** Canonical fields carried outward (`out` or `both`). */
  outboundFields(): readonly MappedField[] {
    return this.outbound;
  }

  /** The paths of the vendor's id (one, or the parts of a composite key joined by `|`). */
  keyPaths(): readonly ParsedPath[] {
    return this.checked.key;
  }

  /** The vendor's id for a record, or null when the key path is absent or not an id. */
  keyOf(vendorRecord: unknown): string | null {
    const parts: string[] = [];
    for (const path of this.checked.key) {
      const id = idText(readPath(vendorRecord, path));
      if (id === null) return null;
      parts.push(id);
    }
    return parts.join('|');
  }

  toIncoming(vendorRecord: unknown): IncomingResult {
    try {
      return this.mapIn(vendorRecord);
    } catch (err) {
      // Nothing above should throw; if it does, the record fails alone rather than the batch.
      return { ok: false, error: `mapping ${this.file} failed: ${errorText(err)}` };
    }
  }

  private mapIn(vendorRecord: unknown): IncomingResult {
    if (!isObject(vendorRecord)) return { ok: false, error: `a ${this.vendorEntity} record must be an object, got ${shapeOf(vendorRecord)}` };
    const externalId = this.keyOf(vendorRecord);
    if (externalId === null) {
      return { ok: false, error: `${this.vendorEntity} record has no usable key at ${this.checked.key.map((k) => k.text).join(' + ')}` };
    }
    const values: Record<string, IncomingValue> = {};
    const problems: string[] = [];
    for (const field of this.inbound) {
      const result = field.codec.inbound(vendorRecord);
      if (!result.ok) problems.push(`${field.target} (from ${field.source ?? 'default'}): ${result.reason}`);
      else if (result.value !== undefined) values[field.target] = result.value;
    }
    const sourceModifiedAt = this.modifiedAt(vendorRecord, problems);
    const match = this.matchHints(vendorRecord);
    const linkMeta = this.linkMeta(vendorRecord);
    const record: IncomingRecord = {
      externalId,
      sourceModifiedAt,
      values,
      ...(linkMeta ? { linkMeta } : {}),
      ...(this.isDeleted(vendorRecord) ? { deleted: true } : {}),
      ...(match ? { match } : {}),
      ...(problems.length > 0 ? { invalid: problems.join('; ') } : {}),
    };
    return { ok: true, record };
  }

  /** The `keep:` values found in the record (text or numbers), or null when the mapping keeps none. */
  private linkMeta(record: unknown): Record<string, string | number> | null {
    if (this.checked.keep.length === 0) return null;
    const out: Record<string, string | number> = {};
    for (const { name, path } of this.checked.keep) {
      const value = readPath(record, path);
      if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) out[name] = value;
    }
    return out;
  }

  private modifiedAt(record: unknown, problems: string[]): string | null {
    const spec = this.checked.modifiedAt;
    if (!spec) return null;
    const raw = readPath(record, spec.path);
    if (raw === undefined || isBlank(raw)) return null;
    const parsed = spec.date ? parseDate(spec.date.format, raw) : typeof raw === 'string' ? parseIsoDateTime(raw.trim()) : null;
    if (!parsed) {
      const expected = describeFormat(spec.date?.format ?? 'iso-datetime');
      problems.push(`modifiedAt (from ${spec.path.text}): ${shapeOf(raw)} is not ${expected}`);
      return null;
    }
    return toCanonical(parsed, 'datetime', spec.date?.timeZone ?? 'UTC');
  }

  private isDeleted(record: unknown): boolean {
    const spec = this.checked.deleted;
    if (!spec) return false;
    const raw = readPath(record, spec.path);
    if (raw === undefined) return false;
    // A CSV cell "true" means the boolean true: files carry only text.
    return spec.equals.some((v) => raw === v || (typeof raw === 'string' && typeof v !== 'string' && raw.trim() === String(v)));
  }

  private matchHints(record: unknown): MatchHints | null {
    const m = this.checked.match;
    const canonicalId = m.canonicalId ? idText(readPath(record, m.canonicalId)) : null;
    const links: Array<{ system: string; externalId: string }> = [];
    for (const link of this.binding.links) {
      const id = idText(readPath(record, link.path));
      if (id !== null) links.push({ system: link.system, externalId: id });
    }
    const rawEmail = m.email ? readPath(record, m.email) : undefined;
    const email = typeof rawEmail === 'string' && rawEmail.trim() !== '' ? rawEmail.trim() : null;
    if (canonicalId === null && links.length === 0 && email === null) return null;
    return {
      ...(canonicalId !== null ? { canonicalId } : {}),
      ...(links.length > 0 ? { links } : {}),
      ...(email !== null ? { email } : {}),
    };
  }

  /**
   * The vendor-shaped body of the outbound fields (optionally only `fields`), nested paths built as
   * objects: `approvingClientContact.id` with `as: number` gives `{ approvingClientContact: { id: 15522 } }`.
   * A reference the target system does not know yet, or a value with no way back, fails the body.
   */
  toVendor(canonical: Readonly<Record<string, Scalar>>, resolveRef: RefResolver, fields?: readonly string[]): VendorResult {
    return this.buildVendor(canonical, { resolveRef, symbolicRefs: false }, fields);
  }

  /** `toVendor` with references shown as text: what `crosswalk mappings preview` prints. */
  toVendorSymbolic(canonical: Readonly<Record<string, Scalar>>): VendorResult {
    return this.buildVendor(canonical, { resolveRef: () => null, symbolicRefs: true });
  }

  private buildVendor(canonical: Readonly<Record<string, Scalar>>, ctx: OutboundContext, fields?: readonly string[]): VendorResult {
    try {
      const wanted = fields ? new Set(fields) : null;
      const body: VendorBody = {};
      const problems: string[] = [];
      for (const field of this.outbound) {
        if (wanted && !wanted.has(field.target)) continue;
        if (!Object.prototype.hasOwnProperty.call(canonical, field.target) || field.path === null || field.codec.outbound === null) continue;
        const result = field.codec.outbound(canonical[field.target] ?? null, ctx);
        if (!result.ok) problems.push(`${field.target}: ${result.reason}`);
        else writePath(body, field.path, result.value);
      }
      return problems.length > 0 ? { ok: false, error: problems.join('; ') } : { ok: true, body };
    } catch (err) {
      return { ok: false, error: `mapping ${this.file} failed: ${errorText(err)}` };
    }
  }

  /**
   * Every vendor field name the mapping reads or writes, selectors removed and filter keys added:
   * `id`, `candidate.id`, `jobs.rate`, `jobs.primary`. Feed to `fieldsParameter` for Bullhorn.
   */
  sourcePaths(): string[] {
    return [...new Set(this.readPaths().flatMap(fieldNames))];
  }

  /** Every vendor path as written in the file, selectors included (`custom_fields[name=X].value`). */
  pathTexts(): string[] {
    return [...new Set([...this.readPaths(), ...this.fields.flatMap((f) => (f.path ? [f.path] : []))].map((p) => p.text))];
  }

  private readPaths(): ParsedPath[] {
    const paths: ParsedPath[] = [...this.checked.key];
    const c = this.checked;
    if (c.modifiedAt) paths.push(c.modifiedAt.path);
    if (c.deleted) paths.push(c.deleted.path);
    if (c.match.canonicalId) paths.push(c.match.canonicalId);
    if (c.match.email) paths.push(c.match.email);
    paths.push(...this.binding.links.map((l) => l.path));
    for (const field of this.fields) paths.push(...field.codec.reads);
    return paths;
  }
}
