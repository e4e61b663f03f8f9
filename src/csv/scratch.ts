import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Claim = { readonly first: true } | { readonly first: false; readonly line: number; readonly same: boolean };

const FIRST: Claim = { first: true };

/** Keys held in memory before they go to the scratch file in one sorted write. */
const RECENT_MAX = 20_000;
/** Bits of the filter per expected key, and its bounds (2^20 bits = 128 KiB; 2^27 bits = 16 MiB). */
const BITS_PER_KEY = 12;
const MIN_BITS_LOG2 = 20;
const MAX_BITS_LOG2 = 27;
const PROBES = 7;

interface Seen {
  readonly line: number;
  readonly hash: string | null;
}

/**
 * The keys an import has seen, so a duplicate row anywhere in the file is caught with the line of
 * its first copy. A JavaScript set of every key would grow with the file (memory must stay flat), so
 * the keys live in a throw-away SQLite file outside the store: no journal, no fsync, a small page
 * cache, deleted when the import ends. It is rebuilt from the start of the file when an import
 * resumes.
 *
 * Writing each key into that file's B-tree as it comes was most of a re-import's time (a shuffled
 * file puts every key on another page). So the newest keys wait in a bounded map and go to the
 * file together, sorted; and a Bloom filter of fixed size (12 bits a key, at most 16 MiB; it holds
 * no key) says which keys may be in the file at all: only those are looked up there, one query per
 * batch. A filter never misses a key it was given, so no duplicate goes unseen; a false "maybe"
 * costs one lookup. Decision 0009.
 */
export class SeenKeys {
  private readonly dir: string;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly lookup: Database.Statement;
  private readonly bits: Int32Array;
  private readonly mask: number;
  private recent = new Map<string, Seen>();

  /** @param expectedKeys how many keys the import will claim, to size the filter */
  constructor(parent: string = tmpdir(), expectedKeys = 1_000_000) {
    this.dir = mkdtempSync(join(parent, 'crosswalk-import-'));
    this.db = new Database(join(this.dir, 'seen.sqlite'));
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma('cache_size = -4096');
    this.db.exec('CREATE TABLE seen (key TEXT NOT NULL PRIMARY KEY, line INTEGER NOT NULL, hash TEXT) WITHOUT ROWID');
    this.insert = this.db.prepare('INSERT OR IGNORE INTO seen (key, line, hash) SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?) ORDER BY id');
    this.lookup = this.db.prepare('SELECT key, line, hash FROM seen WHERE key IN (SELECT value FROM json_each(?))').raw();
    const log2 = Math.min(MAX_BITS_LOG2, Math.max(MIN_BITS_LOG2, Math.ceil(Math.log2(Math.max(1, expectedKeys) * BITS_PER_KEY))));
    this.bits = new Int32Array(2 ** (log2 - 5));
    this.mask = 2 ** log2 - 1;
  }

  /**
   * Claims keys in file order; `same` compares the hashes given with the first copy's (pass a null
   * hash when no caller compares: the file stays smaller).
   */
  claimMany(ns: number, items: ReadonlyArray<{ key: string; line: number; hash: string | null }>): Claim[] {
    if (items.length === 0) return [];
    const names = items.map((item) => `${ns}\u0000${item.key}`);
    // Keys the filter says may be in the file (and that are not in memory): one query for them all.
    const maybe = names.filter((name) => !this.recent.has(name) && this.mayHave(name));
    const stored = new Map<string, Seen>();
    if (maybe.length > 0) {
      for (const [name, line, hash] of this.lookup.all(JSON.stringify(maybe)) as Array<[string, number, string | null]>) stored.set(name, { line, hash });
    }
    const claims = items.map((item, i): Claim => {
      const name = names[i] as string;
      const first = this.recent.get(name) ?? stored.get(name);
      // The same line claiming its key again is that row itself, not a duplicate: its unit of work
      // is running again from the start (PostgreSQL retries one that failed to serialise), and the
      // claims of the rolled-back attempt are still here, outside the store's transaction.
      if (first !== undefined && first.line === item.line) return FIRST;
      if (first !== undefined) return { first: false, line: first.line, same: first.hash !== null && first.hash === item.hash };
      this.recent.set(name, { line: item.line, hash: item.hash });
      this.add(name);
      return FIRST;
    });
    if (this.recent.size >= RECENT_MAX) this.flush();
    return claims;
  }

  close(): void {
    this.recent = new Map();
    if (this.db.open) this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The keys in memory to the file, sorted: the B-tree is walked once, not jumped around. */
  private flush(): void {
    const rows = [...this.recent].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([name, s]) => [name, s.line, s.hash]);
    this.insert.run(JSON.stringify(rows));
    this.recent = new Map();
  }

  private add(name: string): void {
    const [h1, h2] = hashes(name);
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      this.bits[bit >>> 5] = (this.bits[bit >>> 5] as number) | (1 << (bit & 31));
    }
  }

  private mayHave(name: string): boolean {
    const [h1, h2] = hashes(name);
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      if (((this.bits[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** Two 32-bit FNV-1a-style hashes of a string (different bases and primes), for double hashing. */
function hashes(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  // An odd step reaches every bit of a power-of-two table.
  return [a >>> 0, (b >>> 0) | 1];
}
