import { extractVendorMessage } from '../kit/index.ts';

const MAX_ITEMS = 5;
const MAX_LENGTH = 300;

/**
 * Gusto's error text for ops: `{"errors":[{"error_key","category","message","metadata"}]}` becomes
 * `email (invalid_attribute_value): Email has already been taken`; category `nested_errors` nests
 * further `errors` under the item, read with the parent key as a prefix. Only keys, categories and
 * messages are taken, never `metadata` (it can echo what we sent). Other bodies (OAuth errors,
 * the 406 version error) fall back to the kit's extractor.
 */
export function gustoErrorMessage(body: unknown): string | undefined {
  const items: string[] = [];
  collect(body, '', items, 0);
  if (items.length === 0) return extractVendorMessage(body);
  const text = items.slice(0, MAX_ITEMS).join('; ').replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}

function collect(value: unknown, prefix: string, out: string[], depth: number): void {
  if (depth > 4 || out.length >= MAX_ITEMS || !isRecord(value) || !Array.isArray(value['errors'])) return;
  for (const item of value['errors']) {
    if (!isRecord(item)) continue;
    const key = typeof item['error_key'] === 'string' ? item['error_key'] : '';
    const path = [prefix, key].filter((part) => part !== '' && part !== 'base').join('.');
    if (Array.isArray(item['errors'])) {
      collect(item, path, out, depth + 1);
      continue;
    }
    const message = typeof item['message'] === 'string' ? item['message'].trim() : '';
    if (message === '') continue;
    const category = typeof item['category'] === 'string' && item['category'] !== '' ? ` (${item['category']})` : '';
    out.push(path === '' ? `${message}${category}` : `${path}${category}: ${message}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
