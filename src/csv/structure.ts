import { CsvRefusal, type ImportLimits } from './limits.ts';

export type Delimiter = ',' | ';' | '\t';
export type LineEnding = 'CRLF' | 'LF' | 'CR' | 'mixed';

/** What the structure scan learned about a file before any row is read for real. */
export interface Structure {
  /** The first non-blank record, as text (without its line break). */
  readonly headerText: string;
  /** Physical line the header starts on (1 unless blank lines come first). */
  readonly headerLine: number;
  readonly delimiter: Delimiter;
  /** Records after the header, blank lines excluded. */
  readonly dataRecords: number;
  /** null when the file has a single line with no line break at all. */
  readonly lineEnding: LineEnding | null;
}

const SPECIAL = /["\r\n]/g;
const CANDIDATES: readonly Delimiter[] = [',', ';', '\t'];

/**
 * A quote-aware scan of decoded text, chunk by chunk, that finds record boundaries the way
 * csv-parse will (a quote opens a field only at its start; `""` inside is an escaped quote; CRLF,
 * LF and CR all end a record), so that a record longer than the limit or a quote never closed is
 * refused before anything is written, with the line it starts on. It jumps from one quote or line
 * break to the next with a regular expression instead of looking at every character.
 */
export class StructureScanner {
  private line = 1;
  private inQuote = false;
  private quoteLine = 0;
  /** The record so far has at least one character. */
  private recordChars = 0;
  private recordLine = 1;
  /** Last character seen, for "is this quote at the start of a field" across chunk edges. */
  private prev = '';
  /** The chunk ended on CR: a LF starting the next chunk belongs to it. */
  private pendingCR = false;
  /** Inside a quote, the chunk ended on `"`: the next character says whether it was escaped. */
  private pendingQuote = false;
  private header: string | null = null;
  private headerBuffer = '';
  private headerLine = 0;
  private delimiter: Delimiter | null = null;
  private dataRecords = 0;
  private lineEnding: LineEnding | null = null;

  constructor(private readonly limits: Pick<ImportLimits, 'maxRecordChars' | 'maxRows'>) {}

  /** The physical line the scan has reached: where a byte problem found now is. */
  get currentLine(): number {
    return this.line;
  }

  feed(text: string): void {
    if (text.length === 0) return;
    if (text.includes('\u0000')) {
      const line = this.lineOfNul(text);
      throw new CsvRefusal('binary', `line ${line} holds a NUL character: is the file UTF-16 without a byte order mark, or not text at all?`, line);
    }
    let i = 0;
    if (this.pendingCR) {
      // The CR that ended the last chunk was already counted; a LF here makes it one CRLF.
      this.pendingCR = false;
      const crlf = text[0] === '\n';
      if (!this.inQuote) this.noteEnding(crlf ? 'CRLF' : 'CR');
      if (crlf) {
        if (this.inQuote) {
          this.capture(text, 0, 1);
          this.grow(1);
        }
        i = 1;
      }
    } else if (this.pendingQuote) {
      this.pendingQuote = false;
      if (text[0] === '"') {
        // An escaped quote split across chunks: still inside the field.
        this.capture(text, 0, 1);
        this.grow(1);
        this.prev = '"';
        i = 1;
      } else {
        this.inQuote = false;
      }
    }
    const len = text.length;
    while (i < len) {
      SPECIAL.lastIndex = i;
      const m = SPECIAL.exec(text);
      const j = m === null ? len : m.index;
      if (j > i) {
        this.capture(text, i, j);
        this.grow(j - i);
        this.prev = text[j - 1] as string;
      }
      if (m === null) break;
      if (text[j] === '"') {
        i = this.quote(text, j);
        continue;
      }
      // A line break: inside quotes it belongs to the field; outside it ends the record.
      let width = 1;
      let kind: LineEnding = text[j] === '\n' ? 'LF' : 'CR';
      if (kind === 'CR') {
        if (j + 1 < len && text[j + 1] === '\n') {
          width = 2;
          kind = 'CRLF';
        } else if (j + 1 >= len) {
          this.pendingCR = true;
        }
      }
      if (this.inQuote) {
        this.capture(text, j, j + width);
        this.grow(width);
        this.line++;
      } else {
        if (!this.pendingCR) this.noteEnding(kind);
        this.endRecord();
        this.line++;
        this.recordLine = this.line;
      }
      this.prev = '\n';
      i = j + width;
    }
  }

  /** Handles the quote at `j`; returns where scanning goes on. */
  private quote(text: string, j: number): number {
    if (this.inQuote) {
      if (j + 1 >= text.length) {
        this.capture(text, j, j + 1);
        this.grow(1);
        this.pendingQuote = true;
        this.prev = '"';
        return j + 1;
      }
      if (text[j + 1] === '"') {
        this.capture(text, j, j + 2);
        this.grow(2);
        this.prev = '"';
        return j + 2;
      }
      this.inQuote = false;
    } else if (this.atFieldStart()) {
      this.inQuote = true;
      this.quoteLine = this.line;
    }
    this.capture(text, j, j + 1);
    this.grow(1);
    this.prev = '"';
    return j + 1;
  }

  /** Call after the last chunk. */
  finish(): Structure {
    if (this.pendingCR) {
      this.pendingCR = false;
      if (!this.inQuote) this.noteEnding('CR');
    }
    // A quote as the very last character closes its field.
    if (this.pendingQuote) {
      this.pendingQuote = false;
      this.inQuote = false;
    }
    if (this.inQuote) {
      throw new CsvRefusal('unclosed_quote', `the quote opened on line ${this.quoteLine} is never closed`, this.quoteLine);
    }
    if (this.recordChars > 0) this.endRecord();
    if (this.header === null || this.delimiter === null) {
      throw new CsvRefusal('empty_file', 'the file has no header row: it is empty or holds only blank lines');
    }
    return { headerText: this.header, headerLine: this.headerLine, delimiter: this.delimiter, dataRecords: this.dataRecords, lineEnding: this.lineEnding };
  }

  private atFieldStart(): boolean {
    if (this.recordChars === 0) return true;
    if (this.delimiter !== null) return this.prev === this.delimiter;
    return this.prev === ',' || this.prev === ';' || this.prev === '\t';
  }

  private grow(n: number): void {
    this.recordChars += n;
    if (this.recordChars > this.limits.maxRecordChars) {
      const what = this.inQuote
        ? `the quote opened on line ${this.quoteLine} runs past ${this.limits.maxRecordChars} characters (limit maxRecordChars): is it closed?`
        : `the record on line ${this.recordLine} is longer than ${this.limits.maxRecordChars} characters (limit maxRecordChars)`;
      throw new CsvRefusal(this.inQuote ? 'unclosed_quote' : 'record_too_long', what, this.inQuote ? this.quoteLine : this.recordLine);
    }
  }

  /** Keeps the header's text while it is being read. */
  private capture(text: string, from: number, to: number): void {
    if (this.header === null) this.headerBuffer += text.slice(from, to);
  }

  private noteEnding(kind: LineEnding): void {
    if (this.lineEnding === null) this.lineEnding = kind;
    else if (this.lineEnding !== kind) this.lineEnding = 'mixed';
  }

  private endRecord(): void {
    if (this.recordChars === 0) return;
    if (this.header === null) {
      this.header = this.headerBuffer;
      this.headerBuffer = '';
      this.headerLine = this.recordLine;
      this.delimiter = detectDelimiter(this.header);
    } else {
      this.dataRecords++;
      if (this.dataRecords > this.limits.maxRows) {
        throw new CsvRefusal('too_many_rows', `the file has more than ${this.limits.maxRows} data rows (limit maxRows)`, this.recordLine);
      }
    }
    this.recordChars = 0;
  }

  private lineOfNul(text: string): number {
    const at = text.indexOf('\u0000');
    let line = this.line;
    for (let k = 0; k < at; k++) {
      const c = text[k];
      if (c === '\n' || (c === '\r' && text[k + 1] !== '\n')) line++;
    }
    return line;
  }
}

/**
 * The delimiter of a header line: whichever of `,` `;` and tab occurs most often outside quotes;
 * a comma when none does (a one-column file) or on a tie.
 */
export function detectDelimiter(header: string): Delimiter {
  const counts = new Map<Delimiter, number>(CANDIDATES.map((c) => [c, 0]));
  let inQuote = false;
  for (let k = 0; k < header.length; k++) {
    const c = header[k];
    if (c === '"') inQuote = !inQuote;
    else if (!inQuote && (c === ',' || c === ';' || c === '\t')) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best: Delimiter = ',';
  for (const c of CANDIDATES) if ((counts.get(c) ?? 0) > (counts.get(best) ?? 0)) best = c;
  return best;
}
