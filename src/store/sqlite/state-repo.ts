import type { Statements } from './statements.ts';

/** Connector key/value state (tokens, subscription ids), one namespace per system. */
export class StateRepo {
  constructor(private readonly s: Statements) {}

  async get(system: string, key: string): Promise<string | null> {
    return (this.s.get('SELECT value FROM connector_state WHERE system = ? AND key = ?').pluck().get(system, key) as string | undefined) ?? null;
  }

  async set(system: string, key: string, value: string, now: string): Promise<void> {
    this.s.assertInTransaction('connector state');
    this.s
      .get(
        `INSERT INTO connector_state (system, key, value, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (system, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(system, key, value, now);
  }
}
