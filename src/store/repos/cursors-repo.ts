import type { Statements } from '../sqlite/statements.ts';

/** Per system and entity: where the next incremental pull starts. */
export class CursorsRepo {
  constructor(private readonly s: Statements) {}

  async get(system: string, entity: string): Promise<string | null> {
    return (this.s.get('SELECT cursor FROM sync_cursors WHERE system = ? AND entity = ?').pluck().get(system, entity) as string | undefined) ?? null;
  }

  async set(system: string, entity: string, cursor: string, now: string): Promise<void> {
    this.s.assertInTransaction('cursor set');
    this.s
      .get(
        `INSERT INTO sync_cursors (system, entity, cursor, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (system, entity) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
      )
      .run(system, entity, cursor, now);
  }

  async all(): Promise<Array<{ system: string; entity: string; cursor: string; updatedAt: string }>> {
    return this.s.get('SELECT system, entity, cursor, updated_at AS updatedAt FROM sync_cursors ORDER BY system, entity').all() as Array<{
      system: string; entity: string; cursor: string; updatedAt: string;
    }>;
  }
}
