/**
 * The Bullhorn emulator's query languages and paging order, without HTTP: Lucene and JPQL
 * parsing, the fields grammar, and the property that start/count paging over the ordered view
 * visits every record exactly once whatever the ties in dateLastModified.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BhError } from '../../fixtures/bullhorn/errors.ts';
import type { BhRecord } from '../../fixtures/bullhorn/model/records.ts';
import { parseFields } from '../../fixtures/bullhorn/query/fields.ts';
import { compile, modifiedLowerBound } from '../../fixtures/bullhorn/query/filter.ts';
import { parseWhere } from '../../fixtures/bullhorn/query/jpql.ts';
import { parseOrder, runListing } from '../../fixtures/bullhorn/query/listing.ts';
import { parseLucene, parseLuceneTimestamp } from '../../fixtures/bullhorn/query/lucene.ts';
import { Table } from '../../fixtures/bullhorn/store/table.ts';

const candidate = (id: number, dateLastModified: number, extra: Partial<BhRecord> = {}): BhRecord => ({
  id, dateLastModified, firstName: 'Zoë', lastName: 'Nguyễn', isDeleted: false, status: 'Active', owner: { id: 1202 }, ...extra,
});

function expect400(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BhError);
    expect((err as BhError).status).toBe(400);
    expect((err as BhError).message).toMatch(pattern);
    return;
  }
  throw new Error('expected a 400 BhError');
}

describe('Lucene subset', () => {
  it('reads yyyyMMddHHmmss, yyyyMMdd and epoch ms timestamps as UTC', () => {
    expect(parseLuceneTimestamp('20261120120500')).toBe(Date.parse('2026-11-20T12:05:00Z'));
    expect(parseLuceneTimestamp('20261120')).toBe(Date.parse('2026-11-20T00:00:00Z'));
    expect(parseLuceneTimestamp('1763640300000')).toBe(1763640300000);
    expect(parseLuceneTimestamp('yesterday')).toBeNull();
  });

  it('filters on ranges, booleans, ids, quoted strings, NOT and OR', () => {
    const a = candidate(1, 1000);
    const b = candidate(2, 2000, { isDeleted: true, status: 'Placed' });
    const c = candidate(3, 3000, { lastName: "O'Brien Nuñez" });
    const run = (q: string) => [a, b, c].filter(compile('Candidate', parseLucene(q), parseLuceneTimestamp)).map((r) => r.id);
    expect(run('dateLastModified:[2000 TO *]')).toEqual([2, 3]);
    expect(run('dateLastModified:{2000 TO *]')).toEqual([3]);
    expect(run('dateLastModified:[* TO 2000}')).toEqual([1]);
    expect(run('isDeleted:0 AND dateLastModified:[1500 TO *]')).toEqual([3]);
    expect(run('isDeleted:true')).toEqual([2]);
    expect(run('id:1 OR id:3')).toEqual([1, 3]);
    expect(run('NOT id:1 && -id:2')).toEqual([3]);
    expect(run('lastName:"o\'brien nuñez"')).toEqual([3]);
    expect(run('(status:placed OR id:1) AND isDeleted:1')).toEqual([2]);
    expect(run('owner.id:1202')).toEqual([1, 2, 3]);
  });

  it('refuses implicit operators, unknown fields and broken ranges with a 400', () => {
    expect400(() => parseLucene('isDeleted:0 id:1'), /AND or OR/);
    expect400(() => parseLucene('dateLastModified:[1 TO'), /unterminated/);
    expect400(() => parseLucene('dateLastModified:[1 2 3]'), /FROM TO TO/);
    expect400(() => parseLucene('smith'), /field:value/);
    expect400(() => compile('Candidate', parseLucene('shoeSize:9')), /shoeSize/);
    expect400(() => compile('Candidate', parseLucene('isDeleted:maybe')), /maybe/);
  });
});

describe('JPQL subset', () => {
  it('filters with comparisons, IN, IS NULL, NOT and parentheses', () => {
    const rows = [candidate(1, 1000), candidate(2, 2000, { email: 'x@example.com' }), candidate(3, 3000, { isDeleted: true })];
    const run = (w: string) => rows.filter(compile('Candidate', parseWhere(w))).map((r) => r.id);
    expect(run('dateLastModified > 1000')).toEqual([2, 3]);
    expect(run('dateLastModified >= 1000 AND isDeleted = false')).toEqual([1, 2]);
    expect(run('id IN (1, 3)')).toEqual([1, 3]);
    expect(run('id NOT IN (1, 3)')).toEqual([2]);
    expect(run('email IS NULL')).toEqual([1, 3]);
    expect(run('email IS NOT NULL')).toEqual([2]);
    expect(run("(id = 1 OR id = 2) AND NOT firstName <> 'zoë'")).toEqual([1, 2]);
    expect(run('isDeleted = 1')).toEqual([3]);
  });

  it('refuses syntax errors with a message', () => {
    expect400(() => parseWhere('id >'), /expected a literal/);
    expect400(() => parseWhere('id IN (1, 2'), /\)/);
    expect400(() => parseWhere("name = 'x"), /unterminated/);
    expect400(() => parseWhere('id = 1 id = 2'), /unexpected/);
    expect400(() => parseWhere(''), /empty/);
  });

  it('derives the modified-since lower bound from the top-level AND only', () => {
    expect(modifiedLowerBound(parseWhere('dateLastModified > 1000 AND isDeleted = false'))).toBe(1001);
    expect(modifiedLowerBound(parseWhere('dateLastModified >= 1000 AND dateLastModified > 1500'))).toBe(1501);
    expect(modifiedLowerBound(parseWhere('dateLastModified > 1000 OR id = 1'))).toBeNull();
    expect(modifiedLowerBound(parseLucene('dateLastModified:[20261120 TO *]'), parseLuceneTimestamp)).toBe(Date.parse('2026-11-20T00:00:00Z'));
  });
});

describe('fields grammar', () => {
  it('parses nested selections and *', () => {
    const sel = parseFields('Placement', 'id, candidate(id,address(city)),jobOrder,*');
    expect(sel.all).toBe(true);
    expect([...sel.fields.keys()]).toEqual(['id', 'candidate', 'jobOrder']);
    expect([...(sel.fields.get('candidate')?.fields.keys() ?? [])]).toEqual(['id', 'address']);
  });

  it('refuses unknown names at any depth, sub-selections on scalars and unbalanced parentheses', () => {
    expect400(() => parseFields('Candidate', 'id,nope'), /nope/);
    expect400(() => parseFields('Placement', 'candidate(nope)'), /nope/);
    expect400(() => parseFields('Candidate', 'address(planet)'), /planet/);
    expect400(() => parseFields('Candidate', 'firstName(id)'), /sub-selection/);
    expect400(() => parseFields('Candidate', 'owner(id'), /missing \)/);
    expect400(() => parseFields('Candidate', 'id)'), /unbalanced/);
  });
});

describe('paging order', () => {
  it('visits every record exactly once for any ties and page size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 0, maxLength: 80 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 5 })), { maxLength: 30 }),
        fc.integer({ min: 1, max: 17 }),
        (stamps, edits, pageSize) => {
          const table = new Table(48001);
          stamps.forEach((s, i) => table.insert(candidate(48001 + i, s * 1000)));
          // Edits re-stamp records after a first sort, so ties no longer arrive in id order.
          table.ordered();
          for (const [pick, stamp] of edits) {
            const record = stamps.length === 0 ? undefined : table.get(48001 + (pick % stamps.length));
            if (!record) continue;
            record.dateLastModified = stamp * 1000;
            table.touched();
            table.ordered();
          }
          const rows = runListing(table, { type: 'Candidate', cond: parseWhere('isDeleted = false'), condKey: 'k', order: parseOrder('Candidate', undefined) });
          const seen: number[] = [];
          for (let start = 0; start < rows.length; start += pageSize) seen.push(...rows.slice(start, start + pageSize).map((r) => r.id));
          expect(seen.length).toBe(stamps.length);
          expect(new Set(seen).size).toBe(stamps.length);
          for (let i = 1; i < rows.length; i += 1) {
            const prev = rows[i - 1];
            const cur = rows[i];
            if (!prev || !cur) continue;
            expect(prev.dateLastModified < cur.dateLastModified || (prev.dateLastModified === cur.dateLastModified && prev.id < cur.id)).toBe(true);
          }
        },
      ),
    );
  });

  it('serves a cached view until a write, then re-sorts', () => {
    const table = new Table(1);
    for (let i = 1; i <= 5; i += 1) table.insert(candidate(i, i * 1000));
    const req = { type: 'Candidate' as const, cond: null, condKey: 'all', order: parseOrder('Candidate', undefined) };
    const first = runListing(table, req);
    expect(runListing(table, req)).toBe(first);
    const moved = table.get(2);
    if (!moved) throw new Error('missing record');
    moved.dateLastModified = 9000;
    table.touched();
    expect(runListing(table, req).map((r) => r.id)).toEqual([1, 3, 4, 5, 2]);
    table.remove(4);
    expect(runListing(table, req).map((r) => r.id)).toEqual([1, 3, 5, 2]);
  });
});
