import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORMULA_TRIGGERS, neutralise, NEUTRALISING_PREFIX, unneutralise } from '../../src/csv/neutralise.ts';
import { createCsvWriter, dollars, fixed, stringifyRows } from '../../src/csv/write.ts';

const SEED = Number(process.env['FC_SEED'] ?? 20261125);
/** 4,000 runs of up to 5 rows × 8 cells: about 100,000 cells. */
const RUNS = Number(process.env['FC_RUNS'] ?? 4000);

/** Cells built to hurt: formula triggers first, separators, quotes, CR/LF, apostrophes, any code point. */
const awkward = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.tuple(fc.constantFrom(...FORMULA_TRIGGERS, NEUTRALISING_PREFIX, `${NEUTRALISING_PREFIX}=`), fc.string({ unit: 'binary', maxLength: 20 })).map(([a, b]) => a + b),
  fc.array(fc.constantFrom(',', ';', '\t', '"', '\r', '\n', '\r\n', ' ', '=', "'", 'é', '€', 'x'), { maxLength: 12 }).map((parts) => parts.join('')),
);

describe('formula neutralisation', () => {
  it(`any text cell survives export → parse unchanged once the documented prefix is removed, and no exported cell starts with a trigger (seed ${SEED}, ${RUNS} runs)`, () => {
    console.info(`CSV export property test: seed ${SEED}, ${RUNS} runs (FC_SEED / FC_RUNS to change)`);
    let cells = 0;
    fc.assert(
      fc.property(fc.array(fc.array(awkward, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const width = Math.max(...rows.map((r) => r.length));
        const padded = rows.map((r) => [...r, ...Array<string>(width - r.length).fill('')]);
        const header = Array.from({ length: width }, (_, i) => `c${i}`);
        const text = stringifyRows(header, padded);
        expect(text.startsWith('\ufeff')).toBe(true);
        const parsed: string[][] = parse(text, { bom: true });
        expect(parsed.slice(1)).toHaveLength(padded.length);
        parsed.slice(1).forEach((row, i) => {
          row.forEach((cell, j) => {
            expect(FORMULA_TRIGGERS.includes(cell[0] ?? '')).toBe(false);
            expect(unneutralise(cell)).toBe(padded[i]?.[j]);
            cells++;
          });
        });
      }),
      { seed: SEED, numRuns: RUNS },
    );
    console.info(`CSV export property test: ${cells} cells checked`);
    expect(cells).toBeGreaterThan(RUNS * 5);
  });

  it('neutralises exactly the triggers and the prefix itself', () => {
    expect(['=1+2', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '\nx', "'x"].map(neutralise)).toEqual(["'=1+2", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "'\nx", "''x"]);
    expect(['', 'x', ' =1', 'a=b', 'é'].map(neutralise)).toEqual(['', 'x', ' =1', 'a=b', 'é']);
  });

  it('numbers the hub formats are written as numbers, never prefixed', () => {
    const text = stringifyRows(['a', 'b', 'c'], [[dollars(-1250), fixed(-0.5, 2), -3]]);
    expect(text).toBe('\ufeffa,b,c\r\n-12.50,-0.50,-3\r\n');
  });

  it('RFC 4180: CRLF records, quotes doubled, cells with separators or line breaks quoted', () => {
    expect(stringifyRows(['h'], [['a,b'], ['say "hi"'], ['line\nbreak'], ['cr\ronly'], ['plain']])).toBe(
      '\ufeffh\r\n"a,b"\r\n"say ""hi"""\r\n"line\nbreak"\r\n"cr\ronly"\r\nplain\r\n',
    );
  });

  it('the streaming writer writes the same bytes as the in-memory one', async () => {
    const rows = [["=HYPERLINK(\"x\")", 'Zoë, "Z"', null], ['-', fixed(7.5, 2), 'a\r\nb']];
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const writer = createCsvWriter(out, ['a', 'b', 'c']);
    for (const r of rows) await writer.write(r);
    await writer.end();
    expect(Buffer.concat(chunks).toString('utf8')).toBe(stringifyRows(['a', 'b', 'c'], rows));
    expect(writer.rows).toBe(2);
  });

  it('a lone surrogate (no UTF-8 form) is written as U+FFFD in plain sight, not by the encoder', () => {
    expect(stringifyRows(['h'], [['a\ud800b']])).toBe('\ufeffh\r\na\ufffdb\r\n');
  });
});
