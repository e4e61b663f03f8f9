import type { EntityName } from '../model/index.ts';
import type { FieldMap, LinkRow, OutboxRequest } from '../store/index.ts';
import { createRuleMatches, type SyncPolicy } from './policy.ts';

export interface ChangedRecord {
  readonly canonicalId: string;
  /** Canonical fields that changed. */
  readonly changed: readonly string[];
  /** Full canonical values after the change. */
  readonly next: Readonly<FieldMap>;
  /** Fields the source system should be sent back (it is stale, or was refused). */
  readonly staleAtSource?: readonly string[];
}

/**
 * Who must hear of a change: every other system whose mapping carries a changed field outward and
 * that has the record (update), or that should get it and does not (create, by the mapping's
 * create rule); and the source itself for fields where it is behind.
 */
export function fanOut(
  policy: SyncPolicy,
  entity: EntityName,
  source: string,
  records: readonly ChangedRecord[],
  linksByRecord: ReadonlyMap<string, readonly LinkRow[]>,
): OutboxRequest[] {
  const rules = policy.outbound(entity);
  if (rules.length === 0) return [];
  const out: OutboxRequest[] = [];
  for (const record of records) {
    const links = linksByRecord.get(record.canonicalId) ?? [];
    for (const rule of rules) {
      if (rule.system === source) {
        const back = (record.staleAtSource ?? []).filter((f) => rule.fields.has(f));
        if (back.length > 0) {
          out.push({ system: source, entity, canonicalId: record.canonicalId, op: 'update', fields: back, reason: `${source} is behind on ${back.join(', ')}` });
        }
        continue;
      }
      const link = links.find((l) => l.system === rule.system && l.canonicalId === record.canonicalId);
      if (link && link.state === 'linked' && link.tombstonedAt === null) {
        const fields = record.changed.filter((f) => rule.fields.has(f));
        if (fields.length > 0) {
          out.push({ system: rule.system, entity, canonicalId: record.canonicalId, op: 'update', fields, reason: `${source} changed ${fields.join(', ')}` });
        }
      } else if (!link && record.changed.length > 0 && createRuleMatches(rule.create, record.next)) {
        out.push({ system: rule.system, entity, canonicalId: record.canonicalId, op: 'create', fields: [...rule.fields], reason: `new in ${rule.system} after ${source} change` });
      }
    }
  }
  return out;
}
