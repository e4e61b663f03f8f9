import type { EntityName } from '../model/index.ts';
import type { Scalar } from '../store/index.ts';

/** Who may write a field: one system of record, or any system (`shared`). */
export interface FieldRule {
  readonly owner: string;
  /** What happens when all three values differ on a shared field. @defaultValue 'manual' */
  readonly conflict: 'manual' | 'latest';
}

export const SHARED = 'shared';
/** The hub's own writers: portal actions and ops. */
export const PORTAL = 'portal';

export interface InboundRules {
  /** The fields this system's mapping carries inward, with their rules. */
  readonly fields: ReadonlyMap<string, FieldRule>;
  /** Whether a first-seen record may be matched by email, and what to do when nothing matches. */
  readonly match: { readonly byEmail: boolean; readonly unmatched: 'create' | 'review' };
}

/** When the hub creates a record in a system that does not have it yet. */
export type CreateRule =
  | { readonly kind: 'never' }
  | { readonly kind: 'always' }
  /** Only when each listed field holds one of the listed values (time entries once approved). */
  | { readonly kind: 'when'; readonly when: Readonly<Record<string, readonly Scalar[]>> };

export interface OutboundRule {
  readonly system: string;
  /** Canonical fields this system's mapping carries outward (`out` or `both`). */
  readonly fields: ReadonlySet<string>;
  readonly create: CreateRule;
}

/**
 * What the engine needs from the mappings, and nothing more: the engine never reads a mapping file
 * or imports a connector.
 */
export interface SyncPolicy {
  inbound(system: string, entity: EntityName): InboundRules | undefined;
  outbound(entity: EntityName): readonly OutboundRule[];
  /** The declared owner of a field across all mappings, or undefined when no mapping claims it. */
  ownerOf(entity: EntityName, field: string): string | undefined;
}

export function createRuleMatches(rule: CreateRule, fields: Readonly<Record<string, Scalar>>): boolean {
  switch (rule.kind) {
    case 'never':
      return false;
    case 'always':
      return true;
    case 'when':
      return Object.entries(rule.when).every(([field, values]) => values.includes(fields[field] ?? null));
  }
}

/** A policy written out in code: for tests, the benchmark and the demo's built-in systems. */
export class StaticPolicy implements SyncPolicy {
  constructor(
    private readonly rules: {
      inbound: Partial<Record<string, Partial<Record<EntityName, InboundRules>>>>;
      outbound?: Partial<Record<EntityName, readonly OutboundRule[]>>;
    },
  ) {}

  inbound(system: string, entity: EntityName): InboundRules | undefined {
    return this.rules.inbound[system]?.[entity];
  }

  outbound(entity: EntityName): readonly OutboundRule[] {
    return this.rules.outbound?.[entity] ?? [];
  }

  ownerOf(entity: EntityName, field: string): string | undefined {
    for (const bySystem of Object.values(this.rules.inbound)) {
      const rule = bySystem?.[entity]?.fields.get(field);
      if (rule) return rule.owner;
    }
    return undefined;
  }
}

/** Builds inbound rules where every listed field has the same owner: the common case in tests. */
export function ownedFields(owner: string, fields: readonly string[], conflict: FieldRule['conflict'] = 'manual'): Map<string, FieldRule> {
  return new Map(fields.map((f) => [f, { owner, conflict }]));
}
