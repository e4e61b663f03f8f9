import type { EntityName } from '../../model/index.ts';
import type { LedgerEntry, LedgerOutcome } from '../types.ts';
import type { SqlRunner } from '../sql/runner.ts';
import { rowAtATime } from './bulk.ts';
import { parseJson, toJson, whereOf } from '../sqlite/statements.ts';

export interface LedgerQuery {
  system?: string;
  entity?: EntityName;
  canonicalId?: string;
  outcome?: LedgerOutcome;
  runId?: string;
  /** ISO time: entries at or after it. */
  since?: string;
  /** Who made the change (`user:<id>`, `contact:<id>`). */
  actor?: string;
  /** ISO time: entries before it. */
  until?: string;
  /** Keyset paging on the sequence number. */
  afterSeq?: number;
  /** Keyset paging, newest first: entries with a smaller sequence number. */
  beforeSeq?: number;
  /** Newest first (the console) instead of oldest first (the API's feed). */
  newestFirst?: boolean;
  limit: number;
}

interface RawEntry {
  seq: number;
  at: string;
  direction: string;
  system: string;
  entity: string;
  canonical_id: string | null;
  external_id: string | null;
  action: string;
  outcome: string;
  diff: string | null;
  reason: string | null;
  source_modified_at: string | null;
  actor: string | null;
  run_id: string | null;
  job_id: string | null;
}

function toEntry(raw: RawEntry): LedgerEntry {
  return {
    seq: raw.seq,
    at: raw.at,
    direction: raw.direction as LedgerEntry['direction'],
    system: raw.system,
    entity: raw.entity as EntityName,
    canonicalId: raw.canonical_id,
    externalId: raw.external_id,
    action: raw.action as LedgerEntry['action'],
    outcome: raw.outcome as LedgerOutcome,
    diff: parseJson(raw.diff),
    reason: raw.reason,
    sourceModifiedAt: raw.source_modified_at,
    actor: raw.actor,
    runId: raw.run_id,
    jobId: raw.job_id,
  };
}

/** An entry's values in COLUMNS order. */
function params(e: LedgerEntry): Array<string | null> {
  return [
    e.at, e.direction, e.system, e.entity, e.canonicalId, e.externalId, e.action, e.outcome, toJson(e.diff),
    e.reason, e.sourceModifiedAt, e.actor, e.runId, e.jobId,
  ];
}

const COLUMNS = ['at', 'direction', 'system', 'entity', 'canonical_id', 'external_id', 'action', 'outcome', 'diff', 'reason',
  'source_modified_at', 'actor', 'run_id', 'job_id'];

/** Entries per append statement (PostgreSQL): one statement's JSON stays a few hundred kilobytes. */
const BATCH = 1_000;

/** The append-only sync ledger: rows are inserted, never updated or deleted. */
export class LedgerRepo {
  /** One JSON array of entries per statement (PostgreSQL). */
  private readonly append: string;
  /** One entry per statement (SQLite, see rowAtATime). */
  private readonly appendOne = `INSERT INTO ledger (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`;

  constructor(private readonly sql: SqlRunner) {
    const d = sql.dialect;
    // One statement per batch; rows take their sequence numbers in the array's order.
    this.append = `INSERT INTO ledger (${COLUMNS.join(', ')})
      SELECT ${COLUMNS.map((_, i) => d.jsonAt('r', i)).join(', ')} FROM ${d.jsonRows('?', 'r')} WHERE true`;
  }

  async appendMany(entries: readonly LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.sql.assertInTransaction('ledger append');
    if (rowAtATime(this.sql)) {
      for (const e of entries) await this.sql.run(this.appendOne, params(e));
      return;
    }
    for (let i = 0; i < entries.length; i += BATCH) {
      await this.sql.run(this.append, [JSON.stringify(entries.slice(i, i + BATCH).map(params))]);
    }
  }

  async query(q: LedgerQuery): Promise<LedgerEntry[]> {
    const where = whereOf([
      ['system = ?', q.system], ['entity = ?', q.entity], ['canonical_id = ?', q.canonicalId], ['outcome = ?', q.outcome],
      ['run_id = ?', q.runId], ['at >= ?', q.since], ['seq > ?', q.afterSeq],
      ['actor = ?', q.actor], ['at < ?', q.until], ['seq < ?', q.beforeSeq],
    ]);
    const rows = await this.sql.all<RawEntry>(`SELECT * FROM ledger ${where.sql} ORDER BY seq${q.newestFirst === true ? ' DESC' : ''} LIMIT ?`, [...where.params, q.limit]);
    return rows.map(toEntry);
  }

  async countByOutcome(): Promise<Record<string, number>> {
    const rows = await this.sql.all<{ outcome: string; n: number }>('SELECT outcome, count(*) AS n FROM ledger GROUP BY outcome');
    return Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
  }

  async count(): Promise<number> {
    return (await this.sql.value<number>('SELECT count(*) FROM ledger')) ?? 0;
  }

  /** The most recent entries of one record, newest first (HTTP record detail); walks `ledger_record`. */
  async latestFor(entity: EntityName, canonicalId: string, limit: number): Promise<LedgerEntry[]> {
    const rows = await this.sql.all<RawEntry>('SELECT * FROM ledger WHERE entity = ? AND canonical_id = ? ORDER BY seq DESC LIMIT ?', [entity, canonicalId, limit]);
    return rows.map(toEntry);
  }
}
