import { PORTAL_EVENT_TYPES, type PortalEventInput, type PortalEventRow, type PortalEventType } from '../../model/index.ts';
import { parseJson, type Statements } from '../sqlite/statements.ts';

// better-sqlite3 hands rows back untyped; each is a plain object of column → value of this table,
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
  constructor(private readonly s: Statements) {}

  /** Appends one event; must run in the unit of work that made the change it reports. */
  async append(event: PortalEventInput): Promise<number> {
    this.s.assertInTransaction('portal event');
    const info = this.s
      .get('INSERT INTO portal_events (type, entity, canonical_id, client_id, worksite_id, actor, recipients, data, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(event.type, event.entity, event.canonicalId, event.clientId, event.worksiteId, event.actor, JSON.stringify(event.recipients ?? []), JSON.stringify(event.data ?? {}), event.at);
    return Number(info.lastInsertRowid);
  }

  /** Events after `seq`, oldest first. */
  async after(seq: number, limit: number): Promise<PortalEventRow[]> {
    const rows = this.s.get('SELECT * FROM portal_events WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit) as Raw[];
    return rows.map(toRow);
  }

  /** Events about one record, oldest first. */
  async forRecord(entity: string, canonicalId: string): Promise<PortalEventRow[]> {
    const rows = this.s.get('SELECT * FROM portal_events WHERE entity = ? AND canonical_id = ? ORDER BY seq').all(entity, canonicalId) as Raw[];
    return rows.map(toRow);
  }
}
