import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { MappingError } from './errors.ts';
import type { Placement } from './validate.ts';

/** One mapping file's text, named relative to the mappings folder (`bullhorn/placement.yaml`). */
export interface MappingSource {
  readonly path: string;
  readonly text: string;
}

/** How deep the walk looks: `csv/<source>/<kind>.yaml` is three levels; deeper is misplaced anyway. */
const MAX_DEPTH = 4;
const YAML = /\.ya?ml$/i;

/**
 * Reads every YAML file under the mappings folder. Hidden entries are skipped; other files (the
 * README) are ignored. Unreadable folders and files become errors, never exceptions.
 */
export function readSources(dir: string): { root: string; sources: MappingSource[]; errors: MappingError[] } {
  const root = basename(resolve(dir));
  const sources: MappingSource[] = [];
  const errors: MappingError[] = [];
  const walk = (abs: string, rel: string[], depth: number) => {
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      errors.push(new MappingError([root, ...rel].join('/'), 1, '', 'unreadable', `cannot read the folder (${codeOf(err)})`));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const parts = [...rel, entry.name];
      // Deployments often link a vendor folder in; follow links (the depth bound stops loops).
      let kind: 'dir' | 'file' | 'other' = entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'other';
      if (entry.isSymbolicLink()) {
        try {
          const target = statSync(join(abs, entry.name));
          kind = target.isDirectory() ? 'dir' : target.isFile() ? 'file' : 'other';
        } catch {
          kind = YAML.test(entry.name) ? 'file' : 'other';
        }
      }
      if (kind === 'dir') {
        if (depth < MAX_DEPTH) walk(join(abs, entry.name), parts, depth + 1);
      } else if (kind === 'file' && YAML.test(entry.name)) {
        try {
          sources.push({ path: parts.join('/'), text: readFileSync(join(abs, entry.name), 'utf8') });
        } catch (err) {
          errors.push(new MappingError([root, ...parts].join('/'), 1, '', 'unreadable', `cannot read the file (${codeOf(err)})`));
        }
      }
    }
  };
  walk(dir, [], 0);
  return { root, sources, errors };
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}

/** Where a file sits decides its vendor (and CSV source); anything else is misplaced. */
export function placementOf(path: string): Placement | null {
  const parts = path.split('/');
  if (parts.length === 2 && parts[0] !== 'csv' && parts[0]) return { vendor: parts[0], source: null };
  if (parts.length === 3 && parts[0] === 'csv' && parts[1]) return { vendor: 'csv', source: parts[1] };
  return null;
}
