import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { createDecoder, firstUndefined1252, sniffBom, type CsvEncoding } from './encoding.ts';
import { CsvRefusal, type ImportLimits } from './limits.ts';
import { StructureScanner, type Delimiter, type LineEnding } from './structure.ts';

/** What the first pass over a file establishes, before anything is written. */
export interface FileFacts {
  /** Lowercase hex SHA-256 of the bytes: the file's identity for exactly-once. */
  readonly sha256: string;
  readonly bytes: number;
  readonly encoding: CsvEncoding;
  readonly delimiter: Delimiter;
  readonly lineEnding: LineEnding | null;
  /** Header cells as written (trimmed of nothing). */
  readonly header: readonly string[];
  readonly headerLine: number;
  /** Records after the header (blank lines excluded; rows of empty cells included). */
  readonly dataRecords: number;
}

const READ_CHUNK = 1 << 20;

/**
 * Pass one: size, SHA-256, encoding (byte order mark, else validated UTF-8, else validated
 * Windows-1252), delimiter, header, and a structure scan that refuses a record over the length
 * limit, a quote never closed, or too many rows. Throws `CsvRefusal`; writes nothing.
 */
export async function inspectFile(path: string, limits: ImportLimits): Promise<FileFacts> {
  const { size } = await stat(path);
  if (size === 0) throw new CsvRefusal('empty_file', 'the file is empty (0 bytes)');
  if (size > limits.maxFileBytes) {
    throw new CsvRefusal('too_large', `the file is ${size} bytes, more than ${limits.maxFileBytes} (limit maxFileBytes)`);
  }

  const hash = createHash('sha256');
  let encoding: CsvEncoding | null = null;
  let scanner = new StructureScanner(limits);
  let decoder: ReturnType<typeof createDecoder> | null = null;
  let notUtf8 = false;
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    if (encoding === null) {
      encoding = sniffBom(chunk) ?? 'utf-8';
      decoder = createDecoder(encoding);
    }
    if (notUtf8 || decoder === null) continue;
    let text: string;
    try {
      text = decoder.write(chunk);
    } catch {
      if (encoding === 'utf-8') {
        // Not UTF-8: the whole file is read again as Windows-1252 once the hash is complete.
        notUtf8 = true;
        continue;
      }
      throw new CsvRefusal('encoding', `the file starts with a ${encoding.replace('-bom', '').toUpperCase()} byte order mark but holds bytes that are not ${encoding.replace('-bom', '').toUpperCase()} near line ${scanner.currentLine}`, scanner.currentLine);
    }
    scanner.feed(text);
  }
  if (encoding === null) throw new CsvRefusal('empty_file', 'the file is empty (0 bytes)');
  if (!notUtf8 && decoder !== null) {
    let tail: string;
    try {
      tail = decoder.end();
    } catch {
      throw new CsvRefusal('encoding', `the file ends in the middle of a ${encoding.replace('-bom', '').toUpperCase()} character`, scanner.currentLine);
    }
    scanner.feed(tail);
  } else {
    encoding = 'windows-1252';
    scanner = await scanAs1252(path, limits);
  }
  const structure = scanner.finish();
  const header = parseHeader(structure.headerText, structure.delimiter);
  if (header.length > limits.maxColumns) {
    throw new CsvRefusal('too_many_columns', `the header has ${header.length} columns, more than ${limits.maxColumns} (limit maxColumns)`, structure.headerLine);
  }
  return {
    sha256: hash.digest('hex'),
    bytes: size,
    encoding,
    delimiter: structure.delimiter,
    lineEnding: structure.lineEnding,
    header,
    headerLine: structure.headerLine,
    dataRecords: structure.dataRecords,
  };
}

/** The fallback pass: every byte must be defined in Windows-1252, or the file is refused with the line. */
async function scanAs1252(path: string, limits: ImportLimits): Promise<StructureScanner> {
  const scanner = new StructureScanner(limits);
  const decoder = createDecoder('windows-1252');
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
    const bad = firstUndefined1252(chunk);
    if (bad >= 0) {
      // Feed what comes before the byte so the scanner knows its line.
      scanner.feed(decoder.write(chunk.subarray(0, bad)));
      const byte = (chunk[bad] ?? 0).toString(16).toUpperCase().padStart(2, '0');
      throw new CsvRefusal(
        'encoding',
        `the file is not valid UTF-8, and byte 0x${byte} on line ${scanner.currentLine} is not a Windows-1252 character either: save it as UTF-8`,
        scanner.currentLine,
      );
    }
    scanner.feed(decoder.write(chunk));
  }
  scanner.feed(decoder.end());
  return scanner;
}

/** The header cells, parsed by csv-parse itself so quoting rules match the rows'. */
export function parseHeader(text: string, delimiter: Delimiter): string[] {
  const rows: string[][] = parse(text, { delimiter, relax_quotes: true, relax_column_count: true, bom: true });
  return rows[0] ?? [];
}
