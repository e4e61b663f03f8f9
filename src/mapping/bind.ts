import { PORTAL, SHARED } from '../engine/policy.ts';
import { problem, type Problem } from './errors.ts';
import type { ParsedPath } from './paths.ts';
import type { CheckedMapping } from './validate.ts';

export interface SystemRef {
  readonly id: string;
  readonly connector: string;
}

export type Resolved = { readonly ok: true; readonly id: string } | { readonly ok: false; readonly problem: 'unknown' | 'ambiguous'; readonly message: string };

/**
 * System names as ops write them: a system id (`bullhorn`), a connector name used by exactly one
 * system (so vendor folders stay portable across deployments), or a CSV source (`csv:billing`).
 */
export class SystemIndex {
  private readonly ids: Set<string>;
  private readonly byConnector = new Map<string, string[]>();

  constructor(
    readonly systems: readonly SystemRef[],
    private readonly csvSystems: ReadonlySet<string>,
  ) {
    this.ids = new Set(systems.map((s) => s.id));
    for (const s of systems) this.byConnector.set(s.connector, [...(this.byConnector.get(s.connector) ?? []), s.id]);
  }

  /** The systems a file applies to: every system whose connector is its vendor, or its CSV source. */
  systemsFor(mapping: Pick<CheckedMapping, 'vendor' | 'source'>): string[] {
    if (mapping.source !== null) return [`csv:${mapping.source}`];
    return this.systems.filter((s) => s.connector === mapping.vendor).map((s) => s.id);
  }

  names(): string[] {
    return [...this.ids, ...this.csvSystems];
  }

  resolve(name: string): Resolved {
    if (this.ids.has(name) || this.csvSystems.has(name)) return { ok: true, id: name };
    const ids = this.byConnector.get(name) ?? [];
    if (ids.length === 1 && ids[0] !== undefined) return { ok: true, id: ids[0] };
    if (ids.length > 1) return { ok: false, problem: 'ambiguous', message: `${name} is the connector of ${ids.join(', ')}: name one of those systems` };
    const known = this.names();
    return { ok: false, problem: 'unknown', message: known.length > 0 ? `one of: ${known.join(', ')}` : 'no systems are configured' };
  }
}

export interface BoundNames {
  /** Field index → resolved owner, for fields that name one. */
  readonly owners: Map<number, string>;
  readonly links: Array<{ system: string; path: ParsedPath }>;
  /** Names used by ref transforms, resolved. */
  readonly refSystems: Map<string, string>;
}

/** Resolves every system name a file uses; problems for the ones that do not resolve. */
export function bindNames(mapping: CheckedMapping, index: SystemIndex): { bound: BoundNames; problems: Problem[] } {
  const problems: Problem[] = [];
  const owners = new Map<number, string>();
  const refSystems = new Map<string, string>();
  for (const f of mapping.fields) {
    if (f.owner !== null) {
      if (f.owner === PORTAL || f.owner === SHARED) owners.set(f.index, f.owner);
      else {
        const r = index.resolve(f.owner);
        if (r.ok) owners.set(f.index, r.id);
        else {
          const code = r.problem === 'ambiguous' ? 'ambiguous_system' : 'unknown_owner';
          const message = r.problem === 'ambiguous' ? r.message : `unknown owner "${f.owner}" (portal, shared, or ${r.message})`;
          problems.push(problem(['fields', f.index, 'owner'], code, message));
        }
      }
    }
    if (f.transform?.name === 'ref' && f.transform.options.system !== undefined && f.transform.options.system !== PORTAL) {
      const name = f.transform.options.system;
      const r = index.resolve(name);
      const at = f.viaRef ? ['fields', f.index, 'transform'] : ['fields', f.index, 'transform', 'ref', 'system'];
      if (r.ok) refSystems.set(name, r.id);
      else problems.push(problem(at, r.problem === 'ambiguous' ? 'ambiguous_system' : 'unknown_system', r.problem === 'ambiguous' ? r.message : `unknown system "${name}" (portal, or ${r.message})`));
    }
  }
  const links: Array<{ system: string; path: ParsedPath }> = [];
  for (const link of mapping.match.links) {
    const at = ['match', 'links', link.index, 'system'];
    if (link.system === PORTAL) {
      problems.push(problem(at, 'unknown_system', 'portal ids are matched with match.canonicalId, not links'));
      continue;
    }
    const r = index.resolve(link.system);
    if (r.ok) links.push({ system: r.id, path: link.path });
    else problems.push(problem(at, r.problem === 'ambiguous' ? 'ambiguous_system' : 'unknown_system', r.problem === 'ambiguous' ? r.message : `unknown system "${link.system}" (${r.message})`));
  }
  return { bound: { owners, links, refSystems }, problems };
}
