import { Worker } from 'node:worker_threads';
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
/** Records (and characters) per message from the parser thread, and how many messages it may run ahead. */
const BATCH_ROWS = 1_000;
const BATCH_CHARS = 1 << 20;
const AHEAD = 2;
/** What the parser thread joins a batch's cells with (a batch with it in a cell comes as an array). */
const SEP = '\u0000';

type WorkerMessage =
  | { type: 'batch'; firstIndex: number; bytesRead: number; lines: Int32Array; counts: Int32Array; text: string | null; cells: string[] | null }
  | { type: 'end'; bytesRead: number }
  | { type: 'error'; code: string | null; message: string; line: number };

/**
 * Pass two: the data records of a file already inspected, decoded as pass one decided and parsed
 * by csv-parse as arrays, each with the physical line it starts on. Blank rows (every cell empty)
 * are skipped. csv-parse counts CRLF inside quotes as two lines, so lines are counted here: one per
 * record plus the line breaks inside its cells. Reading, decoding and parsing run on a worker
 * thread (records.worker.js), a few batches ahead of the caller.
 */
export async function* readRecords(path: string, facts: FileFacts, limits: ImportLimits, progress?: ReadProgress): AsyncGenerator<CsvRecord> {
  const worker = new Worker(new URL('./records.worker.js', import.meta.url), {
    workerData: { path, encoding: facts.encoding, delimiter: facts.delimiter, maxRecordChars: limits.maxRecordChars, batchRows: BATCH_ROWS, batchChars: BATCH_CHARS, ahead: AHEAD, readChunk: READ_CHUNK },
    // It holds a read buffer, a few batches of at most about BATCH_CHARS + one record, and csv-parse's
    // state: a small heap keeps RSS down, with room for the longest record the limits allow.
    resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 + Math.ceil((limits.maxRecordChars * 16) / 2 ** 20) },
  });
  const inbox: WorkerMessage[] = [];
  let failure: Error | null = null;
  let exited = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  worker.on('message', (m: WorkerMessage) => {
    inbox.push(m);
    notify();
  });
  worker.on('error', (err) => {
    failure = err;
    notify();
  });
  worker.on('exit', () => {
    exited = true;
    notify();
  });
  const next = async (): Promise<WorkerMessage> => {
    for (;;) {
      const m = inbox.shift();
      if (m !== undefined) return m;
      if (failure !== null) throw failure;
      if (exited) throw new Error('the CSV parser thread stopped before the end of the file');
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  try {
    for (;;) {
      const m = await next();
      if (m.type === 'end') {
        if (progress) progress.bytesRead = m.bytesRead;
        return;
      }
      if (m.type === 'error') {
        // Pass one refuses what csv-parse cannot recover from; reaching here means the two disagree.
        throw new CsvRefusal(
          m.code === 'CSV_MAX_RECORD_SIZE' ? 'record_too_long' : 'unclosed_quote',
          `the parser stopped near line ${m.line}: ${m.message}`,
          m.line,
        );
      }
      // Room for one more batch while this one is worked on.
      worker.postMessage(1);
      if (progress) progress.bytesRead = m.bytesRead;
      const cells = m.cells ?? (m.text as string).split(SEP);
      let at = 0;
      for (let i = 0; i < m.lines.length; i++) {
        const n = m.counts[i] as number;
        const fields = cells.slice(at, at + n);
        at += n;
        yield { index: m.firstIndex + i, line: m.lines[i] as number, fields };
      }
    }
  } finally {
    await worker.terminate();
  }
}
