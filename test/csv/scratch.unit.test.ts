import { afterEach, describe, expect, it } from 'vitest';
import { SeenKeys } from '../../src/csv/scratch.ts';

let seen: SeenKeys | null = null;
afterEach(() => {
  seen?.close();
  seen = null;
});

describe('seen keys (the scratch file behind duplicate rows)', () => {
  it('claims new keys, and names the first copy of a repeated one within a batch and across batches', () => {
    seen = new SeenKeys();
    const first = seen.claimMany(0, [
      { key: 'b', line: 2, hash: null },
      { key: 'a', line: 3, hash: null },
      { key: 'b', line: 4, hash: null },
    ]);
    expect(first).toEqual([{ first: true }, { first: true }, { first: false, line: 2, same: false }]);
    const second = seen.claimMany(0, [
      { key: 'c', line: 5, hash: null },
      { key: 'a', line: 6, hash: null },
    ]);
    expect(second).toEqual([{ first: true }, { first: false, line: 3, same: false }]);
    // Another namespace is another set of keys.
    expect(seen.claimMany(1, [{ key: 'a', line: 7, hash: null }])).toEqual([{ first: true }]);
    expect(seen.claimMany(0, [])).toEqual([]);
  });

  it('says whether a repeat carries the same hash as the first copy', () => {
    seen = new SeenKeys();
    seen.claimMany(0, [{ key: 'inv-1', line: 2, hash: 'h1' }]);
    expect(seen.claimMany(0, [
      { key: 'inv-1', line: 3, hash: 'h1' },
      { key: 'inv-1', line: 4, hash: 'h2' },
    ])).toEqual([{ first: false, line: 2, same: true }, { first: false, line: 2, same: false }]);
  });

  it('still finds the first copy once the keys have left memory for the scratch file, and calls no new key a duplicate', () => {
    seen = new SeenKeys(undefined, 100);
    const n = 50_000;
    for (let i = 0; i < n; i += 5_000) {
      const batch = Array.from({ length: 5_000 }, (_, j) => ({ key: `k${i + j}`, line: i + j + 2, hash: `h${i + j}` }));
      expect(seen.claimMany(0, batch).every((c) => c.first)).toBe(true);
    }
    expect(seen.claimMany(0, [
      { key: 'k7', line: n + 2, hash: 'h7' },
      { key: `k${n - 1}`, line: n + 3, hash: 'other' },
      { key: `k${n}`, line: n + 4, hash: null },
    ])).toEqual([{ first: false, line: 9, same: true }, { first: false, line: n + 1, same: false }, { first: true }]);
  });
});
