import { SHARED, StaticPolicy, type CreateRule, type FieldRule, type InboundRules, type OutboundRule } from '../../src/engine/index.ts';
import type { EntityName } from '../../src/model/index.ts';

/** A field's rule in shorthand: an owner system, `shared` (manual), `shared:latest`, or a full rule. */
export type FieldSpec = string | FieldRule;

export interface InboundSpec {
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /** @defaultValue false */
  readonly byEmail?: boolean;
  /** @defaultValue 'create' */
  readonly unmatched?: InboundRules['match']['unmatched'];
}

function rule(spec: FieldSpec): FieldRule {
  if (typeof spec !== 'string') return spec;
  if (spec === `${SHARED}:latest`) return { owner: SHARED, conflict: 'latest' };
  return { owner: spec, conflict: 'manual' };
}

/**
 * Builds a StaticPolicy for tests: `policy().in('ats', 'client', { fields: { name: 'ats' } })
 * .out('client', 'payroll', ['name'], { kind: 'always' }).build()`.
 */
export class PolicyBuilder {
  private readonly inbound: Partial<Record<string, Partial<Record<EntityName, InboundRules>>>> = {};
  private readonly outbound: Partial<Record<EntityName, OutboundRule[]>> = {};

  in(system: string, entity: EntityName, spec: InboundSpec): this {
    const bySystem = this.inbound[system] ?? {};
    bySystem[entity] = {
      fields: new Map(Object.entries(spec.fields).map(([field, s]) => [field, rule(s)])),
      match: { byEmail: spec.byEmail ?? false, unmatched: spec.unmatched ?? 'create' },
    };
    this.inbound[system] = bySystem;
    return this;
  }

  out(entity: EntityName, system: string, fields: readonly string[], create: CreateRule = { kind: 'never' }): this {
    const list = this.outbound[entity] ?? [];
    list.push({ system, fields: new Set(fields), create });
    this.outbound[entity] = list;
    return this;
  }

  build(): StaticPolicy {
    return new StaticPolicy({ inbound: this.inbound, outbound: this.outbound });
  }
}

export function policy(): PolicyBuilder {
  return new PolicyBuilder();
}

/** Every listed field with one spec: `allFields(['name', 'status'], 'ats')`. */
export function allFields(fields: readonly string[], spec: FieldSpec): Record<string, FieldSpec> {
  return Object.fromEntries(fields.map((f) => [f, spec]));
}
