/** One printed figure: `name value target ok|MISS`. Gated figures make the run fail when missed. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit?: string;
  /** e.g. { op: '>=', value: 0.25 } */
  readonly target?: { readonly op: '>=' | '<='; readonly value: number };
  /** Informational figures print `info` and never fail the run. */
  readonly gate?: boolean;
}

export function passes(f: Figure): boolean {
  if (!f.target) return true;
  return f.target.op === '>=' ? f.value >= f.target.value : f.value <= f.target.value;
}

export function formatFigure(f: Figure): string {
  const value = Number.isInteger(f.value) ? String(f.value) : f.value.toFixed(f.value < 10 ? 3 : 1);
  const target = f.target ? `${f.target.op}${f.target.value}` : '-';
  const verdict = f.gate === false || !f.target ? 'info' : passes(f) ? 'ok' : 'MISS';
  return `${f.name} ${value}${f.unit ? ` ${f.unit}` : ''} ${target} ${verdict}`;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
