/**
 * Source paths into a vendor record: `address.city`, `jobs[0].rate`, `jobs[primary=true].rate`,
 * `custom_fields[name=Portal Assignment ID].value`. Deliberately nothing more: no wildcards, no
 * expressions. Reading never throws; an absent path reads as `undefined` (JSON has no undefined).
 */

export type Segment =
  | { readonly kind: 'key'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  /** The first array element whose `key` (a dotted path) reads as `value`. */
  | { readonly kind: 'filter'; readonly key: readonly string[]; readonly value: string };

export interface ParsedPath {
  readonly text: string;
  readonly segments: readonly Segment[];
}

export type PathResult = { ok: true; path: ParsedPath } | { ok: false; reason: string };

/** Names that would reach an object's prototype when read or written. */
const RESERVED = new Set(['__proto__', 'prototype', 'constructor']);
const MAX_PATH_LENGTH = 500;
const MAX_INDEX = 10_000;

export function parsePath(text: string): PathResult {
  if (text.length === 0) return { ok: false, reason: 'empty path' };
  if (text.length > MAX_PATH_LENGTH) return { ok: false, reason: `path longer than ${MAX_PATH_LENGTH} characters` };
  const segments: Segment[] = [];
  let i = 0;
  let expectName = true;
  while (i < text.length) {
    if (expectName) {
      let j = i;
      while (j < text.length && text[j] !== '.' && text[j] !== '[' && text[j] !== ']') j++;
      const name = text.slice(i, j);
      if (name === '') return { ok: false, reason: `a name is missing at character ${i + 1}` };
      if (name.trim() !== name) return { ok: false, reason: `name "${name}" starts or ends with a space` };
      if (RESERVED.has(name)) return { ok: false, reason: `"${name}" is a reserved name` };
      segments.push({ kind: 'key', name });
      i = j;
      expectName = false;
      continue;
    }
    const ch = text[i];
    if (ch === '.') {
      i++;
      expectName = true;
      if (i === text.length) return { ok: false, reason: 'path ends with "."' };
      continue;
    }
    if (ch === '[') {
      const close = text.indexOf(']', i + 1);
      if (close < 0) return { ok: false, reason: `"[" at character ${i + 1} is not closed` };
      const inner = text.slice(i + 1, close);
      const selector = parseSelector(inner);
      if ('reason' in selector) return { ok: false, reason: selector.reason };
      segments.push(selector);
      i = close + 1;
      continue;
    }
    return { ok: false, reason: `unexpected "${ch ?? ''}" at character ${i + 1}` };
  }
  return { ok: true, path: { text, segments } };
}

function parseSelector(inner: string): Segment | { reason: string } {
  if (/^\d+$/.test(inner)) {
    const index = Number(inner);
    if (index > MAX_INDEX) return { reason: `index ${inner} is larger than ${MAX_INDEX}` };
    return { kind: 'index', index };
  }
  const eq = inner.indexOf('=');
  if (eq <= 0) return { reason: `"[${inner}]" is neither an index nor a filter like [name=value]` };
  const key = inner.slice(0, eq).split('.');
  for (const name of key) {
    if (name === '' || name.trim() !== name || name.includes('[')) return { reason: `filter key "${inner.slice(0, eq)}" is not a plain path` };
    if (RESERVED.has(name)) return { reason: `"${name}" is a reserved name` };
  }
  return { kind: 'filter', key, value: inner.slice(eq + 1) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(obj: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined;
}

function readKeys(value: unknown, keys: readonly string[]): unknown {
  let cur = value;
  for (const k of keys) {
    if (!isObject(cur)) return undefined;
    cur = own(cur, k);
  }
  return cur;
}

/** A filter compares text: `[primary=true]` matches the boolean true, `[id=7]` the number 7. */
function matchesFilter(item: unknown, key: readonly string[], value: string): boolean {
  const actual = readKeys(item, key);
  if (typeof actual === 'string') return actual === value;
  if (typeof actual === 'number' || typeof actual === 'boolean') return String(actual) === value;
  return actual === null && value === 'null';
}

/**
 * Reads a path. `undefined` when any step is absent; `null` when a step on the way is null (the
 * vendor says there is nothing there, which is information, unlike an absent key).
 */
export function readPath(record: unknown, path: ParsedPath): unknown {
  let cur: unknown = record;
  for (const seg of path.segments) {
    if (cur === null) return null;
    if (seg.kind === 'key') {
      if (!isObject(cur)) return undefined;
      cur = own(cur, seg.name);
    } else if (seg.kind === 'index') {
      if (!Array.isArray(cur)) return undefined;
      cur = seg.index < cur.length ? (cur[seg.index] as unknown) : undefined;
    } else {
      if (!Array.isArray(cur)) return undefined;
      cur = (cur as unknown[]).find((item) => matchesFilter(item, seg.key, seg.value));
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** The value a filter writes when it has to create the element: `true`/`false` become booleans. */
function filterValue(text: string): string | boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}

function defineOwn(target: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Writes a value at a path inside `body`, creating objects and arrays on the way. A filter step
 * finds its element or appends one carrying the filter's key and value, so
 * `custom_fields[name=Portal Assignment ID].value` builds `{ custom_fields: [{ name, value }] }`.
 */
export function writePath(body: Record<string, unknown>, path: ParsedPath, value: unknown): void {
  let cur: Record<string, unknown> | unknown[] = body;
  const segs = path.segments;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as Segment;
    const next = segs[i + 1];
    let holder: Record<string, unknown> | unknown[];
    let slot: string | number;
    if (seg.kind === 'key') {
      holder = cur;
      slot = seg.name;
    } else {
      const arr = cur as unknown[];
      holder = arr;
      if (seg.kind === 'index') {
        while (arr.length < seg.index) arr.push(null);
        slot = seg.index;
      } else {
        slot = arr.findIndex((item) => matchesFilter(item, seg.key, seg.value));
        if (slot < 0) {
          const element: Record<string, unknown> = {};
          writeKeys(element, seg.key, filterValue(seg.value));
          arr.push(element);
          slot = arr.length - 1;
        }
      }
    }
    if (next === undefined) {
      defineOwn(holder, slot, value);
      return;
    }
    let child = Array.isArray(holder) ? holder[slot as number] : own(holder, slot as string);
    if (!isContainer(child, next)) {
      child = next.kind === 'key' ? {} : [];
      defineOwn(holder, slot, child);
    }
    cur = child as Record<string, unknown> | unknown[];
  }
}

function isContainer(value: unknown, next: Segment | undefined): boolean {
  return next?.kind === 'key' ? isObject(value) : Array.isArray(value);
}

function writeKeys(obj: Record<string, unknown>, keys: readonly string[], value: unknown): void {
  let cur = obj;
  keys.forEach((k, i) => {
    if (i === keys.length - 1) {
      defineOwn(cur, k, value);
      return;
    }
    const child: Record<string, unknown> = {};
    defineOwn(cur, k, child);
    cur = child;
  });
}

/**
 * The field names a path reads, selectors removed and filter keys added: `jobs[primary=true].rate`
 * needs `jobs.rate` and `jobs.primary`. What a connector asks for (Bullhorn's `fields=`).
 */
export function fieldNames(path: ParsedPath): string[] {
  const out: string[] = [];
  const prefix: string[] = [];
  for (const seg of path.segments) {
    if (seg.kind === 'key') prefix.push(seg.name);
    else if (seg.kind === 'filter') out.push([...prefix, ...seg.key].join('.'));
  }
  out.push(prefix.join('.'));
  return out;
}

/**
 * Bullhorn's nested `fields=` syntax from dotted names: `id,candidate(id,firstName),address(city)`.
 */
export function fieldsParameter(names: readonly string[]): string {
  interface Node {
    children: Map<string, Node>;
  }
  const root: Node = { children: new Map() };
  for (const name of names) {
    let node = root;
    for (const part of name.split('.')) {
      let child = node.children.get(part);
      if (!child) {
        child = { children: new Map() };
        node.children.set(part, child);
      }
      node = child;
    }
  }
  const render = (node: Node): string =>
    [...node.children].map(([name, child]) => (child.children.size > 0 ? `${name}(${render(child)})` : name)).join(',');
  return render(root);
}

/** True when one path is the other or lies inside it: two outbound writes would collide. */
export function overlaps(a: ParsedPath, b: ParsedPath): boolean {
  const n = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    if (JSON.stringify(a.segments[i]) !== JSON.stringify(b.segments[i])) return false;
  }
  return true;
}
