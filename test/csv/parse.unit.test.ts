import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectFile } from '../../src/csv/inspect.ts';
import { DEFAULT_LIMITS, CsvRefusal } from '../../src/csv/limits.ts';
import { readRecords } from '../../src/csv/records.ts';
import { detectDelimiter, StructureScanner } from '../../src/csv/structure.ts';
import { excerpt, maskDigits } from '../../src/csv/mask.ts';

const SEED = Number(process.env['FC_SEED'] ?? 20261125);
const RUNS = Number(process.env['FC_RUNS'] ?? 300);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'crosswalk-csv-parse-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scanIn(chunks: readonly string[]) {
  const s = new StructureScanner(DEFAULT_LIMITS);
  for (const c of chunks) s.feed(c);
  return s.finish();
}

/** Line breaks in text, CRLF counted once. */
function breaks(text: string): number {
  return (text.match(/\r\n|\r|\n/g) ?? []).length;
}

describe('structure scan', () => {
  const tricky = [
    'a,b\r\n1,"x\r\ny"\r\n"q ""quoted"" q",2\r\n',
    'a;b\n"1;1";2\n\n3;"4\n\n4"\n',
    'a\tb\r"x\r""y"\t1\r2\t3',
    '\r\n\r\na,b\r\n1,2',
    'a,b\n1,"ends on a quote"',
  ];
  it.each(tricky.map((t) => [JSON.stringify(t), t] as const))('gives the same answer however %s is cut into chunks', (_label, text) => {
    const whole = scanIn([text]);
    for (let i = 1; i < text.length; i++) expect(scanIn([text.slice(0, i), text.slice(i)])).toEqual(whole);
    expect(scanIn([...text])).toEqual(whole);
  });

  it('finds the header after blank lines, the delimiter, the line ends and the rows', () => {
    expect(scanIn(['\r\n\r\na,b\r\n1,2\r\n3,4'])).toEqual({ headerText: 'a,b', headerLine: 3, delimiter: ',', dataRecords: 2, lineEnding: 'CRLF' });
    expect(scanIn(['x;y\n1;2\r\n'])).toMatchObject({ delimiter: ';', lineEnding: 'mixed' });
  });

  it('names the line of an unclosed quote and of an over-long record, with the limit', () => {
    const unclosed = () => scanIn(['a,b\n1,2\n3,"open\n4,5\n']);
    expect(unclosed).toThrow(CsvRefusal);
    expect(unclosed).toThrow('the quote opened on line 3 is never closed');
    const s = new StructureScanner({ maxRecordChars: 10, maxRows: 10 });
    s.feed('a,b\n1,2\n');
    expect(() => s.feed('123456789012,x\n')).toThrow('the record on line 3 is longer than 10 characters (limit maxRecordChars)');
    const q = new StructureScanner({ maxRecordChars: 10, maxRows: 10 });
    expect(() => q.feed('a,b\n"runaway\n\n\n\n\n\n\n')).toThrow('the quote opened on line 2 runs past 10 characters (limit maxRecordChars): is it closed?');
  });

  it('picks the delimiter that occurs most outside quotes, comma on a tie or none', () => {
    expect(detectDelimiter('a;b;c')).toBe(';');
    expect(detectDelimiter('a\tb,c\td')).toBe('\t');
    expect(detectDelimiter('"a;b;c",d')).toBe(',');
    expect(detectDelimiter('single')).toBe(',');
    expect(detectDelimiter('a;b,c')).toBe(',');
  });
});

describe('records and their physical lines', () => {
  // NUL is refused on purpose (it means UTF-16 without a BOM), so the files here hold none.
  const cellArb = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replaceAll('\u0000', '0')),
    fc.array(fc.constantFrom('x', ' ', ',', ';', '\t', '"', '\r', '\n', '\r\n', 'é', "'"), { maxLength: 8 }).map((p) => p.join('')),
  );
  it(`any file csv-stringify writes reads back cell for cell, each row on the line it starts (seed ${SEED}, ${RUNS} runs)`, async () => {
    console.info(`CSV read property test: seed ${SEED}, ${RUNS} runs (FC_SEED / FC_RUNS to change)`);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 5 }).chain((width) =>
          fc.record({
            width: fc.constant(width),
            delimiter: fc.constantFrom(',', ';', '\t'),
            eol: fc.constantFrom('\n', '\r\n', '\r'),
            bom: fc.boolean(),
            rows: fc.array(fc.tuple(fc.stringMatching(/^r[0-9]{1,3}$/), fc.array(cellArb, { minLength: width - 1, maxLength: width - 1 })), { maxLength: 12 }),
          }),
        ),
        async ({ width, delimiter, eol, bom, rows }) => {
          const header = Array.from({ length: width }, (_, i) => `h${i}`);
          const records = rows.map(([first, rest]) => [first, ...rest]);
          const opts = { delimiter, record_delimiter: eol, quoted_match: /[\r\n]/ } as const;
          const head = stringify([header], opts);
          const body = records.map((r) => stringify([r], opts));
          const path = join(dir, 'p.csv');
          writeFileSync(path, (bom ? '\ufeff' : '') + head + body.join(''));
          const facts = await inspectFile(path, DEFAULT_LIMITS);
          expect(facts.delimiter).toBe(delimiter);
          expect(facts.header).toEqual(header);
          expect(facts.dataRecords).toBe(records.length);
          expect(facts.encoding).toBe(bom ? 'utf-8-bom' : 'utf-8');
          let line = 1 + breaks(head);
          const expected = body.map((text, i) => {
            const at = line;
            line += breaks(text);
            return { index: i, line: at, fields: records[i] };
          });
          const read = [];
          for await (const r of readRecords(path, facts, DEFAULT_LIMITS)) read.push({ index: r.index, line: r.line, fields: [...r.fields] });
          expect(read).toEqual(expected);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('reads a file larger than one batch of the parser thread, long records included, and stops cleanly when the reader does', async () => {
    const long = 'y'.repeat(60_000);
    const rows = Array.from({ length: 2_500 }, (_, i) => [`r${i}`, i % 97 === 0 ? long : `v${i}`, i % 500 === 0 ? 'two\nlines' : '']);
    const path = join(dir, 'big.csv');
    writeFileSync(path, stringify([['a', 'b', 'c'], ...rows], { record_delimiter: '\r\n', quoted_match: /[\r\n]/ }));
    const facts = await inspectFile(path, DEFAULT_LIMITS);
    const read: Array<{ index: number; line: number; fields: string[] }> = [];
    for await (const r of readRecords(path, facts, DEFAULT_LIMITS)) read.push({ index: r.index, line: r.line, fields: [...r.fields] });
    expect(read.length).toBe(rows.length);
    let line = 2;
    rows.forEach((fields, i) => {
      expect(read[i]).toEqual({ index: i, line, fields });
      line += fields[2] === '' ? 1 : 2;
    });
    let seen = 0;
    for await (const _ of readRecords(path, facts, DEFAULT_LIMITS)) if (++seen === 10) break;
    expect(seen).toBe(10);
  });
});

describe('masking in reports', () => {
  it('masks nine or more digits in a row (spaces allowed) and the SSN shape; dates, invoice numbers and phones stay readable', () => {
    expect(maskDigits('123456789')).toBe('#########');
    expect(maskDigits('acct 0012 3456 7890 12')).toBe('acct #### #### #### ##');
    expect(maskDigits('ssn 123-45-6789.')).toBe('ssn ###-##-####.');
    expect(maskDigits('12345678')).toBe('12345678');
    expect(maskDigits('INV-2026-900001 on 2026-11-09, call (402) 555-0140')).toBe('INV-2026-900001 on 2026-11-09, call (402) 555-0140');
  });

  it('shortens long values', () => {
    expect(excerpt('x'.repeat(100))).toBe(`${'x'.repeat(39)}…`);
    expect(excerpt(null)).toBeNull();
  });
});
