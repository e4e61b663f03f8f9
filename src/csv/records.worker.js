// Pass two's parser thread (see records.ts): reads, decodes and parses the file off the main thread,
// so the main thread spends its time on mapping, keys and the store. Plain JavaScript on
// purpose: a worker is started by Node itself, outside tsx and vitest's transforms, so it must not
// need a TypeScript loader. It posts records in batches, each batch's cells joined into one string
// (one copy across threads instead of one per cell), and runs at most a few batches ahead of the
// main thread, so a slow import does not pile the file up in memory.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { parse } from 'csv-parse';
import { createDecoder } from './decoder.js';

/** @type {{ path: string; encoding: string; delimiter: string; maxRecordChars: number; batchRows: number; batchChars: number; ahead: number; readChunk: number }} */
const { path, encoding, delimiter, maxRecordChars, batchRows, batchChars, ahead, readChunk } = workerData;

/** Joins a batch's cells; a cell holding it sends the batch as an array instead. */
const SEP = '\u0000';

let bytesRead = 0;
let credits = ahead;
/** @type {(() => void) | null} */
let wake = null;
parentPort?.on('message', () => {
  credits++;
  const w = wake;
  wake = null;
  w?.();
});

async function* text() {
  const decoder = createDecoder(encoding);
  for await (const chunk of createReadStream(path, { highWaterMark: readChunk })) {
    bytesRead += chunk.length;
    const s = decoder.write(chunk);
    if (s.length > 0) yield s;
  }
  const tail = decoder.end();
  if (tail.length > 0) yield tail;
}

/** Line breaks inside a cell (CRLF counts once). */
function breaksIn(/** @type {string} */ field) {
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

function isBlank(/** @type {string[]} */ fields) {
  for (const f of fields) if (f.trim() !== '') return false;
  return true;
}

/** @type {number[]} */
let lines = [];
/** @type {number[]} */
let counts = [];
/** @type {string[]} */
let cells = [];
let firstIndex = 0;
let plain = true;
let chars = 0;

async function send() {
  if (lines.length === 0) return;
  while (credits === 0) await new Promise((resolve) => (wake = () => resolve(undefined)));
  credits--;
  parentPort?.postMessage({
    type: 'batch', firstIndex, bytesRead, lines: Int32Array.from(lines), counts: Int32Array.from(counts),
    text: plain ? cells.join(SEP) : null, cells: plain ? null : cells,
  });
  firstIndex += lines.length;
  lines = [];
  counts = [];
  cells = [];
  plain = true;
  chars = 0;
}

async function main() {
  const parser = Readable.from(text()).pipe(
    parse({ delimiter, record_delimiter: ['\r\n', '\n', '\r'], relax_quotes: true, relax_column_count: true, max_record_size: maxRecordChars, skip_empty_lines: false }),
  );
  let line = 1;
  let headerSeen = false;
  try {
    for await (const fields of /** @type {AsyncIterable<string[]>} */ (parser)) {
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
      lines.push(start);
      counts.push(fields.length);
      for (const f of fields) {
        if (plain && f.includes(SEP)) plain = false;
        cells.push(f);
        chars += f.length;
      }
      // A batch is bounded in rows and in characters: long records make short batches.
      if (lines.length >= batchRows || chars >= batchChars) await send();
    }
    await send();
    parentPort?.postMessage({ type: 'end', bytesRead });
  } catch (err) {
    const code = /** @type {{ code?: unknown }} */ (err).code;
    parentPort?.postMessage({ type: 'error', code: typeof code === 'string' ? code : null, message: err instanceof Error ? err.message : String(err), line });
  }
}

await main();
