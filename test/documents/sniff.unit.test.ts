import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sniffBytes, sniffFile } from '../../src/documents/sniff.ts';
import { samples } from '../support/files.ts';
import { tempDir } from '../support/temp-store.ts';

const tmp = tempDir();
afterAll(() => tmp.dispose());

async function sniff(bytes: Buffer, name: string | null = null) {
  const path = join(tmp.dir, `f-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, bytes);
  return sniffFile(path, bytes.length, name);
}

describe('sniffing a file by its bytes', () => {
  it('knows each allowed type by its magic number or structure, whatever the name says', async () => {
    expect(await sniff(samples.pdf(), 'scan.png')).toMatchObject({ ok: true, contentType: 'application/pdf' });
    expect(await sniff(samples.png(), 'photo.pdf')).toMatchObject({ ok: true, contentType: 'image/png' });
    expect(await sniff(samples.jpeg())).toMatchObject({ ok: true, contentType: 'image/jpeg' });
    expect(await sniff(samples.docx(), 'contract.docx')).toMatchObject({ ok: true, kind: 'DOCX' });
    expect(await sniff(samples.xlsx(), 'hours.xlsx')).toMatchObject({ ok: true, kind: 'XLSX' });
    expect(await sniff(samples.csv(), 'hours.csv')).toMatchObject({ ok: true, contentType: 'text/csv' });
    expect(await sniff(samples.text(), 'notes.txt')).toMatchObject({ ok: true, contentType: 'text/plain' });
  });

  it('refuses a renamed executable (MZ, ELF) and says what it really is', async () => {
    const exe = await sniff(samples.exe(), 'timesheet.pdf');
    expect(exe).toMatchObject({ ok: false });
    expect(exe.ok ? '' : exe.reason).toMatch(/Windows executable \(MZ/);
    const elf = await sniff(samples.elf(), 'invoice.docx');
    expect(elf.ok ? '' : elf.reason).toMatch(/ELF/);
    expect(sniffBytes(Buffer.from('#!/bin/sh\nrm -rf /\n'), 20, 'notes.txt', null)).toMatchObject({ ok: false });
  });

  it('refuses a zero-byte file, a plain zip, and binary that is no allowed type', async () => {
    const empty = await sniff(Buffer.alloc(0), 'empty.pdf');
    expect(empty.ok ? '' : empty.reason).toMatch(/zero bytes/);
    const zipped = await sniff(samples.plainZip(), 'archive.docx');
    expect(zipped.ok ? '' : zipped.reason).toMatch(/not an Office document/);
    expect(await sniff(Buffer.from([0x00, 0x01, 0x02, 0xfe, 0x00, 0x10]), 'data.txt')).toMatchObject({ ok: false });
    // Latin-1 bytes that are not UTF-8 are not text.
    expect(await sniff(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]), 'notes.txt')).toMatchObject({ ok: false });
  });

  it('reads text past the head: a UTF-8 character cut at the head’s end is not a reason to refuse', async () => {
    // 8191 ASCII bytes then "é" (two bytes): the head of 8192 ends inside the character.
    const bytes = Buffer.concat([Buffer.alloc(8191, 0x61), Buffer.from('é and more', 'utf8')]);
    expect(await sniff(bytes, 'long.txt')).toMatchObject({ ok: true, contentType: 'text/plain' });
  });
});
