import type { AuditActorType, AuditEvent, AuditOutcome } from '../access-types.ts';
import { whereOf, type Statements } from '../sqlite/statements.ts';

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

// better-sqlite3 hands rows back untyped; each is a plain object of column → value of this table,
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

/**
 * The access audit: append-only (a trigger refuses UPDATE); rows leave only through `purgeBefore`,
 * the configured retention.
 */
export class AuditRepo {
  constructor(private readonly st: Statements) {}

  /**
   * Appends events. Runs inside a unit of work when given one (a write and its audit row commit
   * together) or as its own autocommit statement batch otherwise.
   */
  append(events: readonly AuditEvent[]): void {
    const stmt = this.st.get(
      `INSERT INTO audit_log (id, at, actor_type, actor_id, on_behalf_of, action, target_type, target_id, outcome, reason, credential, ip, user_agent, request_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const e of events) {
      stmt.run(e.id, e.at, e.actorType, e.actorId, e.onBehalfOf, e.action, e.targetType, e.targetId, e.outcome, e.reason, e.credential, e.ip, e.userAgent, e.requestId);
    }
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
    return (this.st.get(`SELECT * FROM audit_log ${sql} ORDER BY seq DESC LIMIT ?`).all(...params, q.limit) as Raw[]).map(toEvent);
  }

  /** Deletes events older than `before` (retention). Returns how many went. */
  async purgeBefore(before: string): Promise<number> {
    this.st.assertInTransaction('audit purge');
    return this.st.get('DELETE FROM audit_log WHERE at < ?').run(before).changes;
  }
}
