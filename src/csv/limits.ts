/**
 * What an import accepts. Every limit is checked before the first row is written, so a file over
 * one is refused whole, with the limit named.
 */
export interface ImportLimits {
  /** Largest file, in bytes. @defaultValue 209715200 (200 MiB, the HTTP upload default) */
  readonly maxFileBytes: number;
  /** Most columns in the header. @defaultValue 200 */
  readonly maxColumns: number;
  /**
   * Longest record, in characters. A quote that is never closed, or a wrong delimiter, shows up
   * here long before the end of the file. @defaultValue 65536
   */
  readonly maxRecordChars: number;
  /** Most data records (rows after the header). @defaultValue 20000000 */
  readonly maxRows: number;
  /** Problems kept one by one; beyond this they are only counted. @defaultValue 100000 */
  readonly maxErrors: number;
}

export const DEFAULT_LIMITS: ImportLimits = {
  maxFileBytes: 200 * 1024 * 1024,
  maxColumns: 200,
  maxRecordChars: 65_536,
  maxRows: 20_000_000,
  maxErrors: 100_000,
};

export function resolveLimits(limits: Partial<ImportLimits> = {}): ImportLimits {
  return { ...DEFAULT_LIMITS, ...limits };
}

/** Why a whole file is refused: each code names one check, and the message names the limit. */
export const REFUSAL_CODES = {
  empty_file: 'the file has no bytes, or nothing but a byte order mark and blank lines',
  too_large: 'the file is larger than maxFileBytes',
  too_many_columns: 'the header has more columns than maxColumns',
  record_too_long: 'a record is longer than maxRecordChars',
  too_many_rows: 'the file has more data records than maxRows',
  unclosed_quote: 'a quoted field is never closed',
  encoding: 'the bytes are not UTF-8, UTF-16 with a byte order mark, or Windows-1252',
  binary: 'the file holds NUL characters: UTF-16 without a byte order mark, or not text',
  duplicate_column: 'two header cells name the same column',
  missing_columns: 'a column the mapping needs is not in the header',
  no_mapping: 'no mapping file for this source and kind',
  unknown_kind: 'not an import kind',
} as const;
export type RefusalCode = keyof typeof REFUSAL_CODES;

/** A file refused before anything was written. */
export class CsvRefusal extends Error {
  override readonly name = 'CsvRefusal';
  constructor(
    readonly code: RefusalCode,
    message: string,
    /** The physical line the problem is on, when there is one. */
    readonly line: number | null = null,
  ) {
    super(message);
  }
}
