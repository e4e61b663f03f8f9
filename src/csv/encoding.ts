import iconv from 'iconv-lite';

/**
 * The encodings an import accepts. A byte order mark decides; without one the bytes must be valid
 * UTF-8, and only when they are not is Windows-1252 tried, and then only if every byte is defined
 * in it. Decoders are fatal: a replacement character never appears silently.
 */
export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le-bom' | 'utf-16be-bom' | 'windows-1252';

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

/** Windows-1252 leaves these five bytes undefined; iconv-lite would turn them into U+FFFD. */
const UNDEFINED_1252 = [0x81, 0x8d, 0x8f, 0x90, 0x9d];

/** Offset of the first byte Windows-1252 does not define, or -1. */
export function firstUndefined1252(chunk: Uint8Array): number {
  let first = -1;
  const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  for (const byte of UNDEFINED_1252) {
    const at = buf.indexOf(byte);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}

export interface TextDecoderLike {
  /** Decodes a chunk; throws on bytes that are not valid in the encoding. */
  write(chunk: Uint8Array): string;
  end(): string;
}

/** A streaming decoder that throws instead of inventing characters, and drops the byte order mark. */
export function createDecoder(encoding: CsvEncoding): TextDecoderLike {
  if (encoding === 'windows-1252') {
    const decoder = iconv.getDecoder('win1252');
    return {
      write: (chunk) => {
        if (firstUndefined1252(chunk) >= 0) throw new Error('byte not defined in Windows-1252');
        return decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      },
      end: () => decoder.end() ?? '',
    };
  }
  const label = encoding === 'utf-16le-bom' ? 'utf-16le' : encoding === 'utf-16be-bom' ? 'utf-16be' : 'utf-8';
  // ignoreBOM false: the decoder consumes a leading BOM itself, so it never reaches the header.
  const decoder = new TextDecoder(label, { fatal: true, ignoreBOM: false });
  return {
    write: (chunk) => decoder.decode(chunk, { stream: true }),
    end: () => decoder.decode(),
  };
}
