import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { stringify, type Stringifier } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import { neutralise } from './neutralise.ts';

/** A number the hub formatted itself (`40.00`, `-12.50`): written as is, never neutralised. */
export class Numeric {
  constructor(readonly text: string) {}
}

/** An exported cell: text (neutralised), a hub-formatted number, or empty. */
export type Cell = string | number | Numeric | null;

/** A number with a fixed number of decimals, as a `Numeric` cell. */
export function fixed(value: number, decimals: number): Numeric {
  return new Numeric(value.toFixed(decimals));
}

/** Integer cents as dollars with two decimals, exactly (no float rounding on the way). */
export function dollars(cents: number): Numeric {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(cents));
  return new Numeric(`${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function cellText(cell: Cell): string {
  if (cell === null) return '';
  if (cell instanceof Numeric) return cell.text;
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  // A lone surrogate has no UTF-8 form; the encoder would swap in U+FFFD anyway, so do it here, in plain sight.
  return neutralise(cell.replace(LONE_SURROGATE, '\uFFFD'));
}

/**
 * The one way the hub writes CSV for people and payroll systems: UTF-8 with a byte order mark (so
 * Excel reads accents right), CRLF line ends, RFC 4180 quoting by csv-stringify — any cell holding
 * the delimiter, a quote, CR or LF is quoted, quotes doubled — and formula neutralisation of text.
 */
export interface CsvWriter {
  write(row: readonly Cell[]): Promise<void>;
  /** Flushes and ends the output stream. */
  end(): Promise<void>;
  readonly rows: number;
}

export function stringifierOptions(bom: boolean) {
  return {
    bom,
    record_delimiter: '\r\n',
    // csv-stringify quotes a cell holding the record delimiter, but not a lone CR or LF.
    quoted_match: /[\r\n]/,
  } as const;
}

export interface CsvWriterOptions {
  /** @defaultValue true */
  readonly bom?: boolean;
  /** End the output when done; false for process.stdout, which must stay open. @defaultValue true */
  readonly endOutput?: boolean;
}

export function createCsvWriter(out: Writable, header: readonly string[], options: CsvWriterOptions = {}): CsvWriter {
  const stringifier: Stringifier = stringify(stringifierOptions(options.bom ?? true));
  const endOutput = options.endOutput ?? true;
  stringifier.pipe(out, { end: endOutput });
  let rows = 0;
  let failed: Error | null = null;
  const check = () => {
    const err: Error | null = failed;
    if (err !== null) throw err;
  };
  stringifier.on('error', (err) => (failed ??= err));
  // A consumer that goes away (a client that hangs up) must not leave a writer waiting for drain.
  out.on('error', (err) => {
    failed ??= err;
    stringifier.destroy(err);
  });
  const push = async (cells: readonly string[]) => {
    check();
    if (!stringifier.write(cells)) await once(stringifier, 'drain');
  };
  const ready = push(header.map((h) => neutralise(h)));
  return {
    get rows() {
      return rows;
    },
    async write(row) {
      await ready;
      rows++;
      await push(row.map(cellText));
    },
    async end() {
      await ready;
      check();
      const finished = endOutput ? once(out, 'finish') : once(stringifier, 'end');
      stringifier.end();
      await finished;
      check();
    },
  };
}

/** The same bytes as `createCsvWriter`, for output that fits in memory (and for tests of the rules). */
export function stringifyRows(header: readonly string[], rows: ReadonlyArray<readonly Cell[]>, options: { bom?: boolean } = {}): string {
  return stringifySync([header.map((h) => neutralise(h)), ...rows.map((row) => row.map(cellText))], stringifierOptions(options.bom ?? true));
}
