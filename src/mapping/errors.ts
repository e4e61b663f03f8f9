/**
 * Every problem a mapping file can have, as a typed code with the one-line explanation that
 * `mappings/README.md` repeats in its error table. Codes are stable: ops scripts and the console
 * may key on them; messages may improve.
 */
export const MAPPING_ERROR_CODES = {
  unreadable: 'The mappings folder or a file in it could not be read.',
  misplaced_file: 'A YAML file that is not at mappings/<vendor>/<name>.yaml or mappings/csv/<source>/<kind>.yaml.',
  yaml_syntax: 'The file is not valid YAML (bad indentation, unclosed bracket, duplicate key, several documents).',
  missing_key: 'A required key is missing.',
  unknown_key: 'A key the format does not know, usually a typo.',
  invalid_value: 'A value of the wrong type, or not one of the allowed words.',
  bad_path: 'A source path that does not parse, or that uses a reserved name (__proto__, constructor, prototype).',
  unknown_transform: 'A transform block that names no known transform, or more than one.',
  unknown_definition: 'A `$ref` to a definition the file does not have.',
  vendor_mismatch: '`vendor` differs from the folder name (for CSV: `vendor` is not csv, or `source` differs from the folder).',
  unknown_entity: '`canonical` is not a canonical entity, or is one the hub writes itself.',
  unknown_target: 'A target (or a `push.create.when` field) that is not a field of the canonical entity.',
  duplicate_target: 'Two fields of one file write the same canonical field.',
  sensitive_field: 'A target, source path or vendor entity that names SSN, date of birth, bank, EEO or background-check data.',
  ref_not_reference: 'A `ref` transform on a field that is not a reference.',
  ref_wrong_entity: 'A `ref` transform pointing at another entity than the one the model says.',
  ref_required: 'A reference field mapped without a `ref` transform.',
  money_required: 'A `…Cents` field mapped without a `money` transform (a dollar amount would land as cents).',
  enum_value_not_allowed: 'An enum map, default or reverse value the canonical field does not allow.',
  enum_reverse_ambiguous: 'An outbound enum where several vendor values map to one canonical value and `reverse` does not choose.',
  transform_target_mismatch: 'A transform or default value that cannot produce the target field type.',
  missing_source: 'A field with no `from` (only `concat` and `default` may omit it; outbound fields need one).',
  concat_outbound: '`concat` on a field carried outward: it cannot be split back.',
  outbound_path_clash: 'Two outbound fields write the same vendor path, or one writes inside the other.',
  bad_time_zone: 'A `timeZone` that is not an IANA time zone name.',
  unknown_owner: 'An owner that is not `portal`, `shared` or a configured system.',
  unknown_system: 'A system in `ref.system` or `match.links` that is not configured.',
  ambiguous_system: 'A connector name used where several configured systems share that connector: name the system id.',
  conflict_needs_shared: '`conflict: latest` on a field whose owner is one system: only shared fields can conflict.',
  email_match_unsupported: '`match.email` on an entity without an email field.',
  push_without_outbound: '`push.create` other than never, but no field is carried outward.',
  duplicate_mapping: 'Two files of one vendor (or CSV source) map the same canonical entity.',
  owner_conflict: 'Two files name different owners for the same canonical field.',
  required_field_unmapped: 'A file that may create records (`match.unmatched: create`, the default) leaves a required canonical field unmapped: map it or give it a default.',
} as const;

export type MappingErrorCode = keyof typeof MAPPING_ERROR_CODES;

/** Shown in place of a path when an error concerns the whole file (bad YAML, unreadable). */
export const DOCUMENT_PATH = '(document)';

/**
 * One located problem: `mappings/bullhorn/placement.yaml:14 fields[3].transform: unknown transform "monee"`.
 * `line` is 1-based; `path` is the dotted path inside the file.
 */
export class MappingError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly path: string,
    readonly code: MappingErrorCode,
    readonly message: string,
  ) {}

  toString(): string {
    return `${this.file}:${this.line} ${this.path || DOCUMENT_PATH}: ${this.message}`;
  }

  toJSON(): { file: string; line: number; path: string; code: MappingErrorCode; message: string; text: string } {
    return { file: this.file, line: this.line, path: this.path, code: this.code, message: this.message, text: this.toString() };
  }
}

/** A problem found inside one file before its location is known: a path into the YAML document. */
export interface Problem {
  readonly path: ReadonlyArray<string | number>;
  readonly code: MappingErrorCode;
  readonly message: string;
}

export function problem(path: ReadonlyArray<string | number>, code: MappingErrorCode, message: string): Problem {
  return { path, code, message };
}

/** `fields[3].transform` from `['fields', 3, 'transform']`. */
export function formatPath(path: ReadonlyArray<string | number | symbol>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** Errors by file, then line; on one line, in the order they were found (the document's order). */
export function sortErrors(errors: readonly MappingError[]): MappingError[] {
  return [...errors].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

/** A value quoted for a message, cut short so one long vendor string cannot flood the ledger. */
export function quote(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (value === undefined) text = 'nothing';
  else {
    try {
      text = JSON.stringify(value) ?? typeof value;
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
