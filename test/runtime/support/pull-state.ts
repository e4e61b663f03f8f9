import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Store } from '../../../src/store/index.ts';
import { ROOT } from './process.ts';
import { EMULATOR_SECRETS } from './secrets.ts';

/** A config file with Bullhorn only (no fan-out elsewhere), on the repository's mappings. */
export function writeBullhornConfig(
  dir: string,
  name: string,
  options: { database: string; baseUrl: string; queue: { driver: 'inline' } | { driver: 'bullmq'; prefix: string } },
): string {
  const file = join(dir, `${name}.config.yaml`);
  writeFileSync(
    file,
    stringify({
      database: options.database,
      mappings: join(ROOT, 'mappings'),
      queue: { ...options.queue, concurrency: 8 },
      systems: [{ id: 'bullhorn', connector: 'bullhorn', kind: 'ats', baseUrl: options.baseUrl, rateLimit: { requests: 100_000, perMs: 60_000 } }],
      demoSecrets: EMULATOR_SECRETS,
    }),
  );
  return file;
}

/**
 * What a Placement pull leaves behind, keyed by Bullhorn id so two stores compare however their
 * generated ids differ: the assignments, their links, the ledger rows the pull wrote, outbox rows,
 * conflicts and the run's outcome. Parents (candidates, jobs, locations, contacts) come from the
 * same template file in every store, so references to them are the same ids.
 */
export interface PullState {
  readonly assignments: Map<string, string>;
  readonly links: Map<string, string>;
  /** Ledger rows about assignments, one string per row, sorted. */
  readonly ledger: string[];
  /** `create` rows per Bullhorn id: exactly one each after a correct pull. */
  readonly createsPerRecord: Map<string, number>;
  readonly outbox: number;
  readonly conflicts: number;
  readonly runs: Array<{ status: string; counts: Record<string, number>; error: string | null }>;
}

/** Works on either store (the SQL is the dialects' common subset), read through its own runner. */
export async function pullState(store: Store): Promise<PullState> {
  const rows = <T>(sql: string): Promise<T[]> => store.query.all<T>(sql);
  const assignments = new Map<string, string>();
  for (const r of await rows<Record<string, unknown> & { ext: string }>(
    `SELECT l.external_id AS ext, a.* FROM links l JOIN assignments a ON a.id = l.canonical_id WHERE l.system = 'bullhorn' AND l.entity = 'assignment'`,
  )) {
    const { ext, id: _id, created_at: _c, updated_at: _u, ...fields } = r;
    assignments.set(ext, JSON.stringify(sortedKeys(fields)));
  }
  const links = new Map<string, string>();
  for (const r of await rows<Record<string, unknown> & { external_id: string }>(`SELECT * FROM links WHERE system = 'bullhorn' AND entity = 'assignment'`)) {
    const { external_id, canonical_id: _id, created_at: _c, updated_at: _u, seen_run_id: _r, ...rest } = r;
    links.set(external_id, JSON.stringify(sortedKeys(rest)));
  }
  const ledgerRows = await rows<Record<string, unknown> & { external_id: string; action: string }>(
    `SELECT direction, system, entity, external_id, action, outcome, diff, reason, source_modified_at, actor FROM ledger WHERE entity = 'assignment'`,
  );
  const createsPerRecord = new Map<string, number>();
  for (const r of ledgerRows) if (r.action === 'create') createsPerRecord.set(r.external_id, (createsPerRecord.get(r.external_id) ?? 0) + 1);
  const runs = await rows<{ status: string; counts: string; error: string | null }>(`SELECT status, counts, error FROM runs WHERE kind = 'pull' AND entity = 'Placement'`);
  return {
    assignments,
    links,
    ledger: ledgerRows.map((r) => JSON.stringify(r)).sort(),
    createsPerRecord,
    outbox: (await rows('SELECT id FROM outbox')).length,
    conflicts: (await rows('SELECT id FROM conflicts')).length,
    runs: runs.map((r) => ({ status: r.status, counts: JSON.parse(r.counts) as Record<string, number>, error: r.error })),
  };
}

/** Column order differs between SQLite's and PostgreSQL's `SELECT *`: compare by name. */
function sortedKeys(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Records in `a` missing from `b` or different there. */
export function differences(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  return [...a].filter(([k, v]) => b.get(k) !== v).map(([k]) => k);
}
