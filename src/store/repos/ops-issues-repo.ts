import { newId } from '../../lib/ids.ts';
import type { SqlRunner } from '../sql/runner.ts';

/** A condition found now, to open or refresh as an ops issue. */
export interface OpsIssueFinding {
  /** `<check>:<system>`: one open row per key. */
  readonly key: string;
  readonly check: string;
  readonly system: string;
  readonly title: string;
  readonly detail: string;
}

/**
 * The writes of the console's durable ops issues (the health home). They live here, not in the
 * console's queries, because they must run on the unit of work's transaction: on PostgreSQL that
 * is a connection of its own, which only the repositories a unit of work hands out are bound to.
 * The console reads the issues for display through `store.query`.
 */
export class OpsIssuesRepo {
  constructor(private readonly sql: SqlRunner) {}

  /** The open issues, key → id (read inside the unit of work that then updates them). */
  async openByKey(): Promise<Map<string, string>> {
    const rows = await this.sql.all<{ id: string; key: string }>('SELECT id, key FROM ops_issues WHERE resolved_at IS NULL ORDER BY key, id');
    return new Map(rows.map((r) => [r.key, r.id]));
  }

  /** The condition holds again: last seen now, one more sighting, the newest detail. */
  async refresh(id: string, detail: string, now: string): Promise<void> {
    this.sql.assertInTransaction('ops issue refresh');
    await this.sql.run('UPDATE ops_issues SET last_seen = ?, count = count + 1, detail = ? WHERE id = ?', [now, detail, id]);
  }

  /** A new open issue, seen once now; returns its id. */
  async open(f: OpsIssueFinding, now: string): Promise<string> {
    this.sql.assertInTransaction('ops issue open');
    const id = newId();
    await this.sql.run(
      `INSERT INTO ops_issues (id, key, "check", system, title, detail, first_seen, last_seen, count, resolved_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, NULL)`,
      [id, f.key, f.check, f.system, f.title, f.detail, now, now],
    );
    return id;
  }

  /** The condition cleared. */
  async resolve(id: string, now: string): Promise<void> {
    this.sql.assertInTransaction('ops issue resolve');
    await this.sql.run('UPDATE ops_issues SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL', [now, id]);
  }
}
