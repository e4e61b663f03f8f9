import type { SqlRunner } from '../sql/runner.ts';

/** Per system and entity: where the next incremental pull starts. */
export class CursorsRepo {
  constructor(private readonly sql: SqlRunner) {}

  async get(system: string, entity: string): Promise<string | null> {
    return (await this.sql.value<string>('SELECT cursor FROM sync_cursors WHERE system = ? AND entity = ?', [system, entity])) ?? null;
  }

  async set(system: string, entity: string, cursor: string, now: string): Promise<void> {
    this.sql.assertInTransaction('cursor set');
    await this.sql.run(
      `INSERT INTO sync_cursors (system, entity, cursor, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (system, entity) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
      [system, entity, cursor, now],
    );
  }

  async all(): Promise<Array<{ system: string; entity: string; cursor: string; updatedAt: string }>> {
    return this.sql.all<{ system: string; entity: string; cursor: string; updatedAt: string }>(
      'SELECT system, entity, cursor, updated_at AS "updatedAt" FROM sync_cursors ORDER BY system, entity',
    );
  }
}
