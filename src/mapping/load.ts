import type { EntityName } from '../model/index.ts';
import { bindNames, SystemIndex, type SystemRef } from './bind.ts';
import { CompiledMapping } from './compile.ts';
import { MappingError, formatPath, problem, sortErrors, type Problem } from './errors.ts';
import { MappingRegistry } from './registry.ts';
import { placementOf, readSources, type MappingSource } from './sources.ts';
import { checkFile, type CheckedMapping } from './validate.ts';

export interface FileStatus {
  readonly file: string;
  readonly vendor: string | null;
  readonly source: string | null;
  readonly vendorEntity: string | null;
  readonly entity: EntityName | null;
  /** The systems the file applies to (empty unless loaded). */
  readonly systems: readonly string[];
  /** `ok`: loaded; `inactive`: valid, but no configured system uses its vendor; `error`: left out. */
  readonly status: 'ok' | 'inactive' | 'error';
}

export interface LoadResult {
  readonly registry: MappingRegistry;
  /** Every problem, in file and line order. A file with any error is left out; the others load. */
  readonly errors: MappingError[];
  readonly files: FileStatus[];
}

/**
 * Loads every mapping under `dir` (`<vendor>/<name>.yaml`, `csv/<source>/<kind>.yaml`) for the
 * configured systems. A file for vendor X applies to every system whose connector is X; a CSV
 * file gives system `csv:<source>`. Synchronous: it runs once at start-up, before any work.
 */
export function loadMappings(dir: string, systems: readonly SystemRef[]): LoadResult {
  const read = readSources(dir);
  return assemble(read.root, read.sources, systems, read.errors);
}

/**
 * The same from texts in memory: `root` names the folder in messages (`mappings`), each source's
 * path is relative to it. For tests and for checking an edit before it is saved.
 */
export function loadMappingSources(root: string, sources: readonly MappingSource[], systems: readonly SystemRef[]): LoadResult {
  return assemble(root, sources, systems, []);
}

interface Claim {
  readonly owner: string;
  readonly where: string;
}

function assemble(root: string, sources: readonly MappingSource[], systems: readonly SystemRef[], initial: readonly MappingError[]): LoadResult {
  const errors: MappingError[] = [...initial];
  const files: FileStatus[] = [];
  const checked: CheckedMapping[] = [];
  const csvSystems = new Set<string>();
  const status = (file: string, s: FileStatus['status'], m: CheckedMapping | null, systemIds: readonly string[] = []): FileStatus => ({
    file, status: s, systems: systemIds, vendor: m?.vendor ?? null, source: m?.source ?? null, vendorEntity: m?.vendorEntity ?? null, entity: m?.entity ?? null,
  });

  const ordered = [...sources].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const source of ordered) {
    const file = `${root}/${source.path}`;
    const placement = placementOf(source.path);
    if (placement === null) {
      errors.push(new MappingError(file, 1, '', 'misplaced_file', `mapping files live at ${root}/<vendor>/<name>.yaml or ${root}/csv/<source>/<kind>.yaml`));
      files.push(status(file, 'error', null));
      continue;
    }
    if (placement.source !== null) csvSystems.add(`csv:${placement.source}`);
    const result = checkFile(file, source.text, placement);
    errors.push(...result.errors);
    if (result.mapping) checked.push(result.mapping);
    else files.push(status(file, 'error', null));
  }

  const index = new SystemIndex(systems, csvSystems);
  const claims = new Map<string, Claim>();
  const taken = new Map<string, string>();
  const compiled: CompiledMapping[] = [];
  for (const m of checked) {
    const systemIds = index.systemsFor(m);
    if (systemIds.length === 0) {
      files.push(status(m.file, 'inactive', m));
      continue;
    }
    const { bound, problems } = bindNames(m, index);
    problems.push(...duplicates(m, taken));
    const newClaims = problems.length === 0 ? ownership(m, bound.owners, claims, problems) : [];
    if (problems.length > 0) {
      errors.push(...problems.map((p) => new MappingError(m.file, m.locate(p.path), formatPath(p.path), p.code, p.message)));
      files.push(status(m.file, 'error', m));
      continue;
    }
    for (const [k, claim] of newClaims) claims.set(k, claim);
    taken.set(entityKey(m), m.file);
    const binding = { owners: bound.owners, links: bound.links, resolveSystem: (name: string) => bound.refSystems.get(name) ?? name };
    for (const system of systemIds) compiled.push(new CompiledMapping(system, m, binding));
    files.push(status(m.file, 'ok', m, systemIds));
  }
  files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { registry: new MappingRegistry(compiled), errors: sortErrors(errors), files };
}

const entityKey = (m: CheckedMapping) => `${m.vendor}\u0000${m.source ?? ''}\u0000canonical\u0000${m.entity}`;

/**
 * One file per canonical entity within a vendor (or CSV source): the engine asks for "the"
 * rules of a system and entity. One vendor entity may feed several canonical entities (a
 * Bullhorn Placement is an assignment and its rates).
 */
function duplicates(m: CheckedMapping, taken: ReadonlyMap<string, string>): Problem[] {
  const earlier = taken.get(entityKey(m));
  if (!earlier) return [];
  return [problem(['canonical'], 'duplicate_mapping', `${earlier} already maps ${m.entity} for ${m.source ? `csv:${m.source}` : m.vendor}`)];
}

/**
 * One owner per canonical field across all files: the first file (in path order) to name an
 * owner sets it, and a file naming another is refused with both places in the message.
 */
function ownership(m: CheckedMapping, owners: ReadonlyMap<number, string>, claims: ReadonlyMap<string, Claim>, problems: Problem[]): Array<[string, Claim]> {
  const mine: Array<[string, Claim]> = [];
  for (const f of m.fields) {
    const owner = owners.get(f.index);
    if (owner === undefined) continue;
    const k = `${m.entity}.${f.target}`;
    const path = ['fields', f.index, 'owner'];
    const earlier = claims.get(k);
    if (earlier && earlier.owner !== owner) {
      problems.push(problem(path, 'owner_conflict', `owner ${owner} disagrees with ${earlier.where}, which names ${earlier.owner} as owner of ${k}`));
    } else if (!earlier) {
      mine.push([k, { owner, where: `${m.file}:${m.locate(path)}` }]);
    }
  }
  return mine;
}
