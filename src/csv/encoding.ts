/**
 * The encodings an import accepts. A byte order mark decides; without one the bytes must be valid
 * UTF-8, and only when they are not is Windows-1252 tried, and then only if every byte is defined
 * in it. Decoders are fatal: a replacement character never appears silently.
 */
import type { CsvEncoding } from './encoding-name.ts';

export type { CsvEncoding };

/** How each encoding reads in reports. */
export const ENCODING_LABELS: Readonly<Record<CsvEncoding, string>> = {
  'utf-8': 'UTF-8',
  'utf-8-bom': 'UTF-8 with BOM',
  'utf-16le-bom': 'UTF-16LE with BOM',
  'utf-16be-bom': 'UTF-16BE with BOM',
  'windows-1252': 'Windows-1252',
};

/** The encoding a byte order mark announces, or null when the file starts without one. */
export function sniffBom(head: Uint8Array): CsvEncoding | null {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8-bom';
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le-bom';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be-bom';
  return null;
}

export { createDecoder, firstUndefined1252, type TextDecoderLike } from './decoder.js';
