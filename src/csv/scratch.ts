import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Claim = { readonly first: true } | { readonly first: false; readonly line: number; readonly same: boolean };

/**
 * The keys an import has seen, so a duplicate row anywhere in the file is caught with the line of
 * its first copy. A JavaScript set would grow with the file (G2 wants memory flat), so the keys
 * live in a throw-away SQLite file outside the store: no journal, no fsync, a small page cache,
 * deleted when the import ends. It is rebuilt from the start of the file when an import resumes.
 */
export class SeenKeys {
  private readonly dir: string;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly lookup: Database.Statement;

  constructor(parent: string = tmpdir()) {
    this.dir = mkdtempSync(join(parent, 'crosswalk-import-'));
    this.db = new Database(join(this.dir, 'seen.sqlite'));
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma('cache_size = -8192');
    this.db.exec('CREATE TABLE seen (ns INTEGER NOT NULL, key TEXT NOT NULL, line INTEGER NOT NULL, hash TEXT, PRIMARY KEY (ns, key)) WITHOUT ROWID');
    this.insert = this.db.prepare('INSERT OR IGNORE INTO seen (ns, key, line, hash) VALUES (?, ?, ?, ?)');
    this.lookup = this.db.prepare('SELECT line, hash FROM seen WHERE ns = ? AND key = ?');
  }

  /** Claims keys in one transaction; `same` compares the hashes given with the first copy's. */
  claimMany(ns: number, items: ReadonlyArray<{ key: string; line: number; hash: string | null }>): Claim[] {
    // In key order the B-tree is walked, not jumped around (a shuffled file costs what a sorted one
    // does); equal keys keep their file order, so the first copy is the one that claims.
    const order = items.map((_, i) => i).sort((a, b) => {
      const x = (items[a] as { key: string }).key;
      const y = (items[b] as { key: string }).key;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
    const claims = new Array<Claim>(items.length);
    const run = this.db.transaction(() => {
      for (const i of order) {
        const item = items[i] as { key: string; line: number; hash: string | null };
        if (this.insert.run(ns, item.key, item.line, item.hash).changes === 1) {
          claims[i] = { first: true };
          continue;
        }
        const row = this.lookup.get(ns, item.key) as { line: number; hash: string | null };
        claims[i] = { first: false, line: row.line, same: row.hash !== null && row.hash === item.hash };
      }
    });
    run();
    return claims;
  }

  close(): void {
    if (this.db.open) this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
