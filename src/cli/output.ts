/**
 * Terminal output: aligned tables for people, JSON for scripts (`--json` on every command that
 * reports). Tables truncate long cells; JSON never does.
 */
export interface OutputOptions {
  json?: boolean;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function formatTable(rows: ReadonlyArray<Readonly<Record<string, unknown>>>, columns?: readonly string[], maxWidth = 60): string {
  if (rows.length === 0) return '(none)';
  const cols = columns ?? Object.keys(rows[0] ?? {});
  const cell = (v: unknown): string => {
    const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    const flat = s.replace(/\s+/g, ' ');
    return flat.length > maxWidth ? `${flat.slice(0, maxWidth - 1)}…` : flat;
  };
  const body = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...body.map((r) => [...(r[i] ?? '')].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - [...c].length))).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export function printTable(rows: ReadonlyArray<Readonly<Record<string, unknown>>>, columns?: readonly string[]): void {
  process.stdout.write(`${formatTable(rows, columns)}\n`);
}

export function emit(options: OutputOptions, value: unknown, human: () => void): void {
  if (options.json) printJson(value);
  else human();
}
