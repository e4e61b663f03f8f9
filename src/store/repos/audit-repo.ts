import type { AuditActorType, AuditEvent, AuditOutcome } from '../access-types.ts';
import type { SqlRunner } from '../sql/runner.ts';
import { whereOf } from '../sqlite/statements.ts';

export interface AuditQuery {
  actorType?: AuditActorType;
  actorId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  outcome?: AuditOutcome;
  /** ISO time: events at or after it. */
  since?: string;
  /** ISO time: events before it. */
  until?: string;
  /** Keyset paging on the sequence number, newest first: events with a smaller seq. */
  beforeSeq?: number;
  limit: number;
}

// Runners hand rows back untyped; each is a plain object of column → value of this table,
// read through `as Raw` at the statement and mapped to the typed row by one function.
type Raw = Record<string, string | number | null>;
const s = (v: string | number | null | undefined): string | null => (v === null || v === undefined ? null : String(v));

function toEvent(r: Raw): AuditEvent {
  return {
    seq: Number(r['seq']),
    id: String(r['id']),
    at: String(r['at']),
    actorType: String(r['actor_type']) as AuditActorType, // written only from AuditActorType
    actorId: s(r['actor_id']),
    onBehalfOf: s(r['on_behalf_of']),
    action: String(r['action']),
    targetType: s(r['target_type']),
    targetId: s(r['target_id']),
    outcome: String(r['outcome']) as AuditOutcome, // written only from AuditOutcome
    reason: s(r['reason']),
    credential: s(r['credential']),
    ip: s(r['ip']),
    userAgent: s(r['user_agent']),
    requestId: s(r['request_id']),
  };
}

const COLUMNS = 'id, at, actor_type, actor_id, on_behalf_of, action, target_type, target_id, outcome, reason, credential, ip, user_agent, request_id';

function valuesOf(e: AuditEvent): Array<string | null> {
  return [e.id, e.at, e.actorType, e.actorId, e.onBehalfOf, e.action, e.targetType, e.targetId, e.outcome, e.reason, e.credential, e.ip, e.userAgent, e.requestId];
}

/**
 * The access audit: append-only (a trigger refuses UPDATE, in both dialects); rows leave only
 * through `purgeBefore`, the configured retention.
 */
export class AuditRepo {
  private readonly q: { readonly one: string; readonly many: string };

  constructor(private readonly sql: SqlRunner) {
    const d = sql.dialect;
    this.q = {
      one: `INSERT INTO audit_log (${COLUMNS}) VALUES (${Array.from({ length: 14 }, () => '?').join(', ')})`,
      // Several events in one statement (one round trip, and all or none outside a unit of work);
      // rows take their seq in array order.
      many: `INSERT INTO audit_log (${COLUMNS}) SELECT ${Array.from({ length: 14 }, (_, i) => d.jsonAt('r', i)).join(', ')} FROM ${d.jsonRows('?', 'r')}`,
    };
  }

  /**
   * Appends events. Runs inside a unit of work when given one (a write and its audit row commit
   * together) or as its own autocommit statement otherwise.
   */
  async append(events: readonly AuditEvent[]): Promise<void> {
    const [first] = events;
    if (first === undefined) return;
    if (events.length === 1) await this.sql.run(this.q.one, valuesOf(first));
    else await this.sql.run(this.q.many, [JSON.stringify(events.map(valuesOf))]);
  }

  async list(q: AuditQuery): Promise<AuditEvent[]> {
    const { sql, params } = whereOf([
      ['actor_type = ?', q.actorType],
      ['actor_id = ?', q.actorId],
      ['action = ?', q.action],
      ['target_type = ?', q.targetType],
      ['target_id = ?', q.targetId],
      ['outcome = ?', q.outcome],
      ['at >= ?', q.since],
      ['at < ?', q.until],
      ['seq < ?', q.beforeSeq],
    ]);
    return (await this.sql.all<Raw>(`SELECT * FROM audit_log ${sql} ORDER BY seq DESC LIMIT ?`, [...params, q.limit])).map(toEvent);
  }

  /** Deletes events older than `before` (retention). Returns how many went. */
  async purgeBefore(before: string): Promise<number> {
    this.sql.assertInTransaction('audit purge');
    return (await this.sql.run('DELETE FROM audit_log WHERE at < ?', [before])).changes;
  }
}
