import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { createDecoder } from './encoding.ts';
import type { FileFacts } from './inspect.ts';
import { CsvRefusal, type ImportLimits } from './limits.ts';

/** One data record: its position in the file and its cells. */
export interface CsvRecord {
  /** 0-based among data records (blank lines not counted): the resume position. */
  readonly index: number;
  /** Physical line the record starts on. */
  readonly line: number;
  readonly fields: readonly string[];
}

export interface ReadProgress {
  bytesRead: number;
}

const READ_CHUNK = 256 * 1024;

/** Line breaks inside a cell (CRLF counts once): how many lines a quoted field spans beyond its first. */
function breaksIn(field: string): number {
  let n = 0;
  let at = field.indexOf('\n');
  while (at >= 0) {
    n++;
    at = field.indexOf('\n', at + 1);
  }
  at = field.indexOf('\r');
  while (at >= 0) {
    if (field[at + 1] !== '\n') n++;
    at = field.indexOf('\r', at + 1);
  }
  return n;
}

function isBlank(fields: readonly string[]): boolean {
  for (const f of fields) if (f.trim() !== '') return false;
  return true;
}

/**
 * Pass two: the data records of a file already inspected, decoded as pass one decided and parsed
 * by csv-parse as arrays, each with the physical line it starts on. Blank rows (every cell empty)
 * are skipped. csv-parse counts CRLF inside quotes as two lines, so lines are counted here: one per
 * record plus the line breaks inside its cells.
 */
export async function* readRecords(path: string, facts: FileFacts, limits: ImportLimits, progress?: ReadProgress): AsyncGenerator<CsvRecord> {
  const decoder = createDecoder(facts.encoding);
  async function* text(): AsyncGenerator<string> {
    for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
      if (progress) progress.bytesRead += chunk.length;
      const s = decoder.write(chunk);
      if (s.length > 0) yield s;
    }
    const tail = decoder.end();
    if (tail.length > 0) yield tail;
  }
  const parser = Readable.from(text()).pipe(
    parse({
      delimiter: facts.delimiter,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_quotes: true,
      relax_column_count: true,
      max_record_size: limits.maxRecordChars,
      skip_empty_lines: false,
    }),
  );
  let line = 1;
  let headerSeen = false;
  let index = 0;
  try {
    for await (const fields of parser as AsyncIterable<string[]>) {
      const start = line;
      let span = 1;
      for (const f of fields) if (f.length > 0 && (f.includes('\n') || f.includes('\r'))) span += breaksIn(f);
      line += span;
      if (!headerSeen) {
        // Empty lines may come before the header (pass one skips the same ones).
        if (fields.length === 1 && fields[0] === '') continue;
        headerSeen = true;
        continue;
      }
      if (isBlank(fields)) continue;
      yield { index: index++, line: start, fields };
    }
  } catch (err) {
    // Pass one refuses what csv-parse cannot recover from; reaching here means the two disagree.
    const code = (err as { code?: unknown }).code;
    throw new CsvRefusal(
      code === 'CSV_MAX_RECORD_SIZE' ? 'record_too_long' : 'unclosed_quote',
      `the parser stopped near line ${line}: ${err instanceof Error ? err.message : String(err)}`,
      line,
    );
  }
}
