import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/**
 * The line of a path inside a parsed YAML document: the line of the deepest key or list item that
 * exists on the way. A missing key points at its parent block, an unknown key at itself.
 */
export function lineOf(doc: Document, counter: LineCounter, path: ReadonlyArray<string | number>): number {
  const lineAt = (node: { range?: [number, number, number] | null } | null | undefined, fallback: number) =>
    node?.range ? counter.linePos(node.range[0]).line : fallback;
  let node: unknown = doc.contents;
  let line = lineAt(doc.contents, 1);
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) return line;
      line = lineAt(pair.key as Node | null, line);
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) return line;
      line = lineAt(item, line);
      node = item;
    } else {
      return line;
    }
  }
  return line;
}
