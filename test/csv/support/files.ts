import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TIME_HEADER = ['Placement ID', 'Employee', 'Work Date', 'Reg Hrs', 'OT Hrs', 'DT Hrs', 'Status', 'Note'];

export interface TimeRow {
  placement: string;
  date: string;
  reg?: string;
  ot?: string;
  status?: string;
  note?: string;
}

function cell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A billing timesheet file in the default layout (dates MM/DD/YYYY). */
export function timeCsv(rows: readonly TimeRow[]): string {
  const lines = rows.map((r) => [r.placement, 'Worker', r.date, r.reg ?? '8', r.ot ?? '', '', r.status ?? 'Approved', r.note ?? ''].map(cell).join(','));
  return `${TIME_HEADER.join(',')}\r\n${lines.map((l) => `${l}\r\n`).join('')}`;
}

/** Weekdays from a US date, `n` of them, as MM/DD/YYYY. */
export function weekdays(startIso: string, n: number): string[] {
  const out: string[] = [];
  for (let day = Date.parse(`${startIso}T00:00:00Z`); out.length < n; day += 86_400_000) {
    const d = new Date(day);
    if (d.getUTCDay() === 0 || d.getUTCDay() === 6) continue;
    const iso = d.toISOString();
    out.push(`${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`);
  }
  return out;
}

export function writeFile(dir: string, name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
