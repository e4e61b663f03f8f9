import { ConnectorConfigError } from '../kit/index.ts';
import { sensitiveKind } from '../../src/model/sensitive.ts';

/**
 * Bullhorn's `fields=` parameter from dotted field names (docs/vendors.md §1.2, nested selection in
 * parentheses): `['id', 'candidate.id', 'candidate.firstName', 'address.city']` →
 * `id,candidate(id,firstName),address(city)`. `id` always comes first: paging and the hub's key
 * need it. Sensitive names (SSN, date of birth, …) are dropped here as well as refused by the
 * mapping loader: a `fields=` list is the one place such data could be asked for.
 */

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

interface Node {
  readonly children: Map<string, Node>;
}

export function fieldsParameter(systemId: string, names: Iterable<string>): string {
  const root: Node = { children: new Map([['id', { children: new Map() }]]) };
  for (const name of names) {
    if (sensitiveKind(name) !== null) continue;
    const parts = name.split('.');
    if (parts.some((part) => !NAME.test(part))) {
      throw ConnectorConfigError.forSystem(systemId, `"${name}" is not a Bullhorn field path`, 'misconfigured');
    }
    let node = root;
    for (const part of parts) {
      let child = node.children.get(part);
      if (child === undefined) {
        child = { children: new Map() };
        node.children.set(part, child);
      }
      node = child;
    }
  }
  return render(root);
}

function render(node: Node): string {
  return [...node.children].map(([name, child]) => (child.children.size > 0 ? `${name}(${render(child)})` : name)).join(',');
}

/**
 * Dotted names of a vendor-shaped body: `{ title, clientContact: { id: 5 } }` → `title`,
 * `clientContact.id` (what to read back after a write).
 */
export function bodyFieldNames(body: Readonly<Record<string, unknown>>): string[] {
  const names: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const sub of Object.keys(value)) names.push(`${key}.${sub}`);
    } else {
      names.push(key);
    }
  }
  return names;
}
