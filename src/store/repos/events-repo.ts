import { PORTAL_EVENT_TYPES, type PortalEventInput, type PortalEventRow, type PortalEventType } from '../../model/index.ts';
import type { SqlRunner } from '../sql/runner.ts';
import { parseJson } from '../sqlite/statements.ts';

// Runners hand rows back untyped; each is a plain object of column → value of this table,
// read through `as Raw` at the statement and mapped to the typed row by one function.
type Raw = Record<string, string | number | null>;

const TYPES: ReadonlySet<string> = new Set(PORTAL_EVENT_TYPES);

function toRow(r: Raw): PortalEventRow {
  const type = String(r['type']);
  if (!TYPES.has(type)) throw new Error(`portal_events row ${String(r['seq'])} has an unknown type "${type}"`);
  return {
    seq: Number(r['seq']),
    // Checked against the list just above.
    type: type as PortalEventType,
    entity: String(r['entity']),
    canonicalId: r['canonical_id'] === null ? null : String(r['canonical_id']),
    clientId: r['client_id'] === null ? null : String(r['client_id']),
    worksiteId: r['worksite_id'] === null ? null : String(r['worksite_id']),
    actor: r['actor'] === null ? null : String(r['actor']),
    recipients: parseJson<string[]>(String(r['recipients'])) ?? [],
    data: parseJson<Record<string, string | number | boolean | null>>(String(r['data'])) ?? {},
    at: String(r['at']),
  };
}

/** The portal event log: appended inside the unit of work of the change, read in `seq` order. */
export class EventsRepo {
  constructor(private readonly sql: SqlRunner) {}

  /** Appends one event; must run in the unit of work that made the change it reports. Returns its seq. */
  async append(event: PortalEventInput): Promise<number> {
    this.sql.assertInTransaction('portal event');
    const seq = await this.sql.value<number>(
      'INSERT INTO portal_events (type, entity, canonical_id, client_id, worksite_id, actor, recipients, data, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq',
      [event.type, event.entity, event.canonicalId, event.clientId, event.worksiteId, event.actor, JSON.stringify(event.recipients ?? []), JSON.stringify(event.data ?? {}), event.at],
    );
    if (seq === undefined) throw new Error('portal event insert returned no seq');
    return Number(seq);
  }

  /** Events after `seq`, oldest first. */
  async after(seq: number, limit: number): Promise<PortalEventRow[]> {
    return (await this.sql.all<Raw>('SELECT * FROM portal_events WHERE seq > ? ORDER BY seq LIMIT ?', [seq, limit])).map(toRow);
  }

  /** Events about one record, oldest first. */
  async forRecord(entity: string, canonicalId: string): Promise<PortalEventRow[]> {
    return (await this.sql.all<Raw>('SELECT * FROM portal_events WHERE entity = ? AND canonical_id = ? ORDER BY seq', [entity, canonicalId])).map(toRow);
  }
}
