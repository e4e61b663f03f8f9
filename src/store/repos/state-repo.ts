import { Keyring } from '../../lib/secret-box.ts';
import type { SqlRunner } from '../sql/runner.ts';

export interface RotateSummary {
  /** Rows read. */
  readonly total: number;
  /** Rows sealed anew under the current key: legacy plaintext, or sealed under an older key. */
  readonly resealed: number;
  /** Of those, rows that were plaintext. */
  readonly plaintext: number;
}

/**
 * Connector key/value state (tokens, subscription ids), one namespace per system. Every value is
 * sealed at rest with the store's key ring (AES-256-GCM, `src/lib/secret-box.ts`), bound to its
 * (system, key) so a sealed value copied to another row does not open. Rows written before
 * encryption still read as they are, and are sealed on their next write (or by `rotate`).
 */
export class StateRepo {
  constructor(
    private readonly sql: SqlRunner,
    private readonly keyring: Keyring | null,
  ) {}

  async get(system: string, key: string): Promise<string | null> {
    const value = await this.sql.value<string>('SELECT value FROM connector_state WHERE system = ? AND key = ?', [system, key]);
    if (value === undefined) return null;
    return Keyring.isSealed(value) ? this.ring().open(value, context(system, key)) : value;
  }

  async set(system: string, key: string, value: string, now: string): Promise<void> {
    this.sql.assertInTransaction('connector state');
    const sealed = this.ring().seal(value, context(system, key));
    await this.sql.run(
      `INSERT INTO connector_state (system, key, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (system, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [system, key, sealed, now],
    );
  }

  /**
   * Seals every value not sealed under the current key (`crosswalk secrets rotate`): after a new
   * key is put first in the ring, and once more to seal legacy plaintext. A value that does not
   * open stops the whole unit of work, so nothing is half rotated.
   */
  async rotate(): Promise<RotateSummary> {
    this.sql.assertInTransaction('connector state rotation');
    const ring = this.ring();
    const rows = await this.sql.all<{ system: string; key: string; value: string }>('SELECT system, key, value FROM connector_state ORDER BY system, key');
    let resealed = 0;
    let plaintext = 0;
    for (const row of rows) {
      const kid = Keyring.keyIdOf(row.value);
      if (kid === ring.currentId) continue;
      const ctx = context(row.system, row.key);
      const clear = kid === null ? row.value : ring.open(row.value, ctx);
      // One statement per row: connector state is a handful of rows per system, and rotation is rare.
      await this.sql.run('UPDATE connector_state SET value = ? WHERE system = ? AND key = ?', [ring.seal(clear, ctx), row.system, row.key]);
      resealed += 1;
      if (kid === null) plaintext += 1;
    }
    return { total: rows.length, resealed, plaintext };
  }

  private ring(): Keyring {
    if (!this.keyring) {
      throw new Error(`connector state is encrypted at rest: open the store with a key ring (SqliteStore.open(path, { keyring }); the hub reads CROSSWALK_SECRET_KEY)`);
    }
    return this.keyring;
  }
}

/** What a sealed value is bound to: its row. */
function context(system: string, key: string): string {
  return `connector_state\u0000${system}\u0000${key}`;
}
