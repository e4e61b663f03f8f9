import { SHARED, type FieldRule, type InboundRules, type OutboundRule, type SyncPolicy } from '../engine/policy.ts';
import type { EntityName } from '../model/index.ts';
import type { CompiledMapping } from './compile.ts';

const key = (a: string, b: string) => `${a}\u0000${b}`;

/**
 * The loaded mappings, and the engine's `SyncPolicy` derived from them: which fields each system
 * carries in (with their owner and conflict rule), who hears of a change (fan-out), and the one
 * declared owner of each canonical field.
 *
 * A field whose file names no owner takes the owner another file declares for it; when no file
 * does, it is `shared` (any system may write it; concurrent changes become conflicts, nothing is
 * silently lost).
 */
export class MappingRegistry implements SyncPolicy {
  private readonly byEntity = new Map<string, CompiledMapping>();
  private readonly byVendor = new Map<string, CompiledMapping[]>();
  private readonly owners = new Map<string, string>();
  private readonly inboundRules = new Map<string, InboundRules>();
  private readonly outboundRules = new Map<EntityName, OutboundRule[]>();

  constructor(private readonly mappings: readonly CompiledMapping[]) {
    for (const m of mappings) {
      this.byEntity.set(key(m.system, m.entity), m);
      const k = key(m.system, m.vendorEntity);
      this.byVendor.set(k, [...(this.byVendor.get(k) ?? []), m]);
      for (const f of m.fields) if (f.owner !== null) this.owners.set(key(m.entity, f.target), f.owner);
    }
    for (const m of mappings) {
      const fields = new Map<string, FieldRule>();
      for (const f of m.inboundFields()) {
        fields.set(f.target, { owner: f.owner ?? this.ownerOf(m.entity, f.target) ?? SHARED, conflict: f.conflict });
      }
      this.inboundRules.set(key(m.system, m.entity), { fields, match: m.match });
      // CSV files are exported on request, never pushed: they take no part in fan-out.
      const out = m.outboundFields();
      if (m.source === null && out.length > 0) {
        const list = this.outboundRules.get(m.entity) ?? [];
        list.push({ system: m.system, fields: new Set(out.map((f) => f.target)), create: m.create });
        this.outboundRules.set(m.entity, list);
      }
    }
  }

  inbound(system: string, entity: EntityName): InboundRules | undefined {
    return this.inboundRules.get(key(system, entity));
  }

  outbound(entity: EntityName): readonly OutboundRule[] {
    return this.outboundRules.get(entity) ?? [];
  }

  ownerOf(entity: EntityName, field: string): string | undefined {
    return this.owners.get(key(entity, field));
  }

  /** The mapping of a canonical entity for a system. */
  get(system: string, entity: string): CompiledMapping | undefined {
    return this.byEntity.get(key(system, entity));
  }

  /**
   * The mapping of a vendor entity (`Placement`, `employees`) for a system. When the vendor entity
   * feeds several canonical entities, the first file in path order; see `allByVendorEntity`.
   */
  byVendorEntity(system: string, vendorEntity: string): CompiledMapping | undefined {
    return this.byVendor.get(key(system, vendorEntity))?.[0];
  }

  /** Every mapping fed by a vendor entity: a pulled page goes through each of them. */
  allByVendorEntity(system: string, vendorEntity: string): readonly CompiledMapping[] {
    return this.byVendor.get(key(system, vendorEntity)) ?? [];
  }

  all(): readonly CompiledMapping[] {
    return this.mappings;
  }

  /** Systems that have at least one mapping, in load order. */
  systems(): string[] {
    return [...new Set(this.mappings.map((m) => m.system))];
  }
}
