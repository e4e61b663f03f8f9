// The import's text decoders, in plain JavaScript so that the parser thread (records.worker.js),
// which Node starts outside tsx, loads the very same code as the main thread (encoding.ts
// re-exports it with types from decoder.d.ts).
import iconv from 'iconv-lite';

/** Windows-1252 leaves these five bytes undefined; iconv-lite would turn them into U+FFFD. */
const UNDEFINED_1252 = [0x81, 0x8d, 0x8f, 0x90, 0x9d];

/**
 * Offset of the first byte Windows-1252 does not define, or -1.
 * @param {Uint8Array} chunk
 */
export function firstUndefined1252(chunk) {
  let first = -1;
  const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  for (const byte of UNDEFINED_1252) {
    const at = buf.indexOf(byte);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}

/**
 * A streaming decoder that throws instead of inventing characters, and drops the byte order mark.
 * @param {string} encoding one of encoding.ts's CsvEncoding
 */
export function createDecoder(encoding) {
  if (encoding === 'windows-1252') {
    const decoder = iconv.getDecoder('win1252');
    return {
      /** @param {Uint8Array} chunk */
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
    /** @param {Uint8Array} chunk */
    write: (chunk) => decoder.decode(chunk, { stream: true }),
    end: () => decoder.decode(),
  };
}
