import type { IncomingValue } from '../../engine/types.ts';
import type { EntityName } from '../../model/index.ts';
import type { Scalar } from '../../store/index.ts';
import type { FieldInfo } from '../field-kinds.ts';
import { readPath, type ParsedPath } from '../paths.ts';

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function fail(reason: string): { readonly ok: false; readonly reason: string } {
  return { ok: false, reason };
}

/**
 * Turns a canonical id into the id a system knows the record by, or null when it has none yet.
 * The push job binds it to the links table.
 */
export type RefResolver = (entity: EntityName, canonicalId: string, system: string) => string | null;

export interface OutboundContext {
  readonly resolveRef: RefResolver;
  /** Preview only: references are shown as text (`<candidate bullhorn:48213>`) instead of resolved. */
  readonly symbolicRefs: boolean;
}

/** Inbound result: a value, or `undefined` to leave the field out (the source said nothing about it). */
export type InboundOutcome = Outcome<IncomingValue | undefined>;

/** A compiled transform for one field: both directions, with its source already bound. */
export interface Codec {
  readonly name: string;
  inbound(record: unknown): InboundOutcome;
  /** Null when the transform has no way back (concat, a constant). */
  readonly outbound: ((value: Scalar, ctx: OutboundContext) => Outcome<unknown>) | null;
  /** Every path the codec reads. */
  readonly reads: readonly ParsedPath[];
}

/** What a transform's load-time check needs to know about the field it writes. */
export interface TargetContext {
  readonly field: FieldInfo;
  /** The direction of the field in its mapping. */
  readonly outbound: boolean;
}

/** What a codec needs from the mapping it belongs to. */
export interface CodecEnv {
  /** The system the compiled mapping is for: the default system of a reference. */
  readonly system: string;
  /** A system name as written in the file, resolved to a configured system id (already checked). */
  readonly resolveSystem: (name: string) => string;
}

/**
 * Text with the spaces around it removed, except a leading tab: a cell that starts with a tab keeps
 * it (a CSV export neutralises it again, see src/csv/neutralise.ts), so nothing a file said is lost.
 */
export function trimText(text: string): string {
  return text.startsWith('\t') ? text.trimEnd() : text.trim();
}

/** Absent or blank: JSON null, or text that is empty once trimmed (a CSV's empty cell). */
export function isBlank(raw: unknown): boolean {
  return raw === null || (typeof raw === 'string' && raw.trim() === '');
}

/**
 * The usual shape of an inbound side: read one path; absent → leave the field out, blank → null
 * (or the given values), anything else → `convert`.
 */
export function fromPath(
  path: ParsedPath,
  convert: (raw: unknown) => Outcome<IncomingValue>,
  when: { absent?: IncomingValue; blank?: IncomingValue } = {},
): (record: unknown) => InboundOutcome {
  return (record) => {
    const raw = readPath(record, path);
    if (raw === undefined) return ok(when.absent);
    if (isBlank(raw)) return ok(when.blank ?? null);
    return convert(raw);
  };
}

/** What a value looks like, for messages: `an object`, `a list`, `true`. */
export function shapeOf(raw: unknown): string {
  if (Array.isArray(raw)) return 'a list';
  if (typeof raw === 'object' && raw !== null) return 'an object';
  if (typeof raw === 'boolean') return String(raw);
  if (typeof raw === 'string') return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);
  return String(raw);
}
