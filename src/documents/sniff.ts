import { open } from 'node:fs/promises';

/**
 * What a file is, judged by its bytes (magic numbers), never by its name or the type the client
 * declared. The allow-list: PDF, PNG, JPEG, DOCX and XLSX (a zip whose entries are the Office Open
 * XML parts), CSV and plain text (UTF-8 without NUL bytes). Anything else, a Windows or Linux
 * executable renamed to `.pdf` included, is refused.
 */
export type Sniffed =
  | { readonly ok: true; readonly contentType: AllowedType; readonly kind: string }
  | { readonly ok: false; readonly reason: string };

export const ALLOWED_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'text/csv',
  'text/plain',
] as const;
export type AllowedType = (typeof ALLOWED_TYPES)[number];

/** How much of the head is read to judge text (and magic numbers). */
const HEAD_BYTES = 8192;
/** How much of the tail is read to find a zip's central directory (its comment is at most 64 KiB). */
const TAIL_BYTES = 65_536 + 22;
/** Most zip entries read from the central directory. */
const MAX_ZIP_ENTRIES = 5000;

const startsWith = (buf: Buffer, bytes: readonly number[]): boolean => bytes.every((b, i) => buf[i] === b);

/** Judges the file at `path` (`size` bytes; zero bytes is never a document). */
export async function sniffFile(path: string, size: number, filename: string | null): Promise<Sniffed> {
  if (size === 0) return { ok: false, reason: 'the file is empty (zero bytes)' };
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    const tailLength = Math.min(TAIL_BYTES, size);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    const zip = startsWith(head, [0x50, 0x4b, 0x03, 0x04]) ? await zipEntries(handle, tail, size) : null;
    return sniffBytes(head, size, filename, zip);
  } finally {
    await handle.close();
  }
}

/**
 * The judgement itself, on the head of the file (and, for a zip, the names of its entries).
 * Executables are named as such, so the refusal says what the file really is.
 */
export function sniffBytes(head: Buffer, size: number, filename: string | null, zipNames: readonly string[] | null): Sniffed {
  if (size === 0 || head.length === 0) return { ok: false, reason: 'the file is empty (zero bytes)' };
  if (startsWith(head, [0x4d, 0x5a])) return { ok: false, reason: 'the file is a Windows executable (MZ header), whatever its name says' };
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) return { ok: false, reason: 'the file is a Linux executable (ELF header), whatever its name says' };
  if (startsWith(head, [0xcf, 0xfa, 0xed, 0xfe]) || startsWith(head, [0xca, 0xfe, 0xba, 0xbe])) return { ok: false, reason: 'the file is a macOS executable (Mach-O header)' };
  if (startsWith(head, [0x23, 0x21])) return { ok: false, reason: 'the file is a script (#!), not a document' };
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return { ok: true, contentType: 'application/pdf', kind: 'PDF' };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { ok: true, contentType: 'image/png', kind: 'PNG' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { ok: true, contentType: 'image/jpeg', kind: 'JPEG' };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) {
    const names = new Set(zipNames ?? []);
    if (!names.has('[Content_Types].xml')) return { ok: false, reason: 'the file is a zip archive, not an Office document (no [Content_Types].xml)' };
    const has = (prefix: string) => [...names].some((n) => n.startsWith(prefix));
    if (names.has('word/document.xml') || has('word/')) return { ok: true, contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', kind: 'DOCX' };
    if (names.has('xl/workbook.xml') || has('xl/')) return { ok: true, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', kind: 'XLSX' };
    return { ok: false, reason: 'the file is an Office Open XML package other than a Word document or an Excel workbook' };
  }
  if (isText(head, size)) {
    const csv = filename !== null && /\.csv$/i.test(filename);
    return csv ? { ok: true, contentType: 'text/csv', kind: 'CSV' } : { ok: true, contentType: 'text/plain', kind: 'text' };
  }
  return { ok: false, reason: 'the file type is not allowed: send PDF, PNG, JPEG, DOCX, XLSX, CSV or plain text' };
}

/**
 * Plain text: no NUL and no other control bytes than tab, CR, LF and form feed, and valid UTF-8 (a
 * sequence cut by the end of the head is forgiven when the file goes on).
 */
function isText(head: Buffer, size: number): boolean {
  for (const b of head) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) return false;
  let end = head.length;
  if (size > head.length) {
    // Drop a multi-byte sequence the head cut in two (at most 3 continuation bytes back).
    let back = 0;
    while (back < 3 && end - back - 1 >= 0 && ((head[end - back - 1] ?? 0) & 0xc0) === 0x80) back++;
    const lead = head[end - back - 1] ?? 0;
    if (lead >= 0xc0) end = end - back - 1;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

interface ReadHandle {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

/**
 * The entry names of a zip, from its central directory (found through the end-of-central-directory
 * record in the tail). Null when the archive is not readable as one: then it is not an Office file.
 */
async function zipEntries(handle: ReadHandle, tail: Buffer, size: number): Promise<string[] | null> {
  const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > tail.length) return null;
  const count = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (count > MAX_ZIP_ENTRIES || cdOffset + cdSize > size || cdSize > 16 * 1_048_576) return null;
  const cd = Buffer.alloc(cdSize);
  await handle.read(cd, 0, cdSize, cdOffset);
  const names: string[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cd.length || cd.readUInt32LE(at) !== 0x02014b50) return null;
    const nameLength = cd.readUInt16LE(at + 28);
    const extraLength = cd.readUInt16LE(at + 30);
    const commentLength = cd.readUInt16LE(at + 32);
    names.push(cd.subarray(at + 46, at + 46 + nameLength).toString('utf8'));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}
