/**
 * Prometheus text exposition format 0.0.4: one HELP and one TYPE line per family, then its samples.
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/
 */

export type MetricType = 'gauge' | 'counter';

export interface Sample {
  readonly labels?: Readonly<Record<string, string | number>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label values escape backslash, double quote and line feed; nothing else. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and line feed (a quote is literal there). */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Readonly<Record<string, string | number>> | undefined): string {
  if (!labels) return '';
  const parts = Object.entries(labels).map(([key, value]) => {
    if (!LABEL.test(key) || key.startsWith('__')) throw new Error(`invalid label name ${key}`);
    return `${key}="${escapeLabelValue(String(value))}"`;
  });
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

export function renderFamily(family: Family): string {
  if (!NAME.test(family.name)) throw new Error(`invalid metric name ${family.name}`);
  const lines = [`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`];
  for (const sample of family.samples) lines.push(`${family.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
  return `${lines.join('\n')}\n`;
}

export function render(families: readonly Family[]): string {
  return families.map(renderFamily).join('');
}

/** Samples for every known label value, zero where the store has none, so alerts on absent series are not needed. */
export function byKey(label: string, known: readonly string[], counts: Readonly<Record<string, number>>): Sample[] {
  const keys = [...new Set([...known, ...Object.keys(counts)])];
  return keys.map((key) => ({ labels: { [label]: key }, value: counts[key] ?? 0 }));
}
