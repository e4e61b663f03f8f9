import { ENTITIES, isEntityName, type EntityName } from '../../model/index.ts';
import type { FieldDiff, FieldMap, Scalar } from '../../store/index.ts';
import { h, type SafeHtml } from './html.ts';

/** A path segment or query value, encoded so no data can change where a link points. */
const enc = encodeURIComponent;

export function recordHref(entity: string, id: string): string {
  return `/console/records/${enc(entity)}/${enc(id)}`;
}

export function runHref(id: string): string {
  return `/console/runs/${enc(id)}`;
}

/** `/console/x?a=1&b=2` from the defined values only. */
export function hrefWith(path: string, query: Readonly<Record<string, string | number | undefined>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

/**
 * Fields that are neither client-visible nor harmless: pay rates and margins (money a client must
 * never see). The console is internal, but a ledger page gets screenshotted and shared; these show
 * only where ops act on them (the record page and its conflicts), labelled internal.
 */
export function isPayData(entity: string, field: string): boolean {
  if (!isEntityName(entity) || !field.endsWith('Cents')) return false;
  return !ENTITIES[entity].clientVisible.includes(field);
}

export function isInternal(entity: EntityName, field: string): boolean {
  return !ENTITIES[entity].clientVisible.includes(field);
}

function dollars(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}$${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}

/** A canonical value as text: null stands out, strings are quoted (so "" and "null" read as such), cents show dollars too. */
export function value(v: Scalar | undefined, field = ''): SafeHtml {
  if (v === null || v === undefined) return h`<span class="null">null</span>`;
  if (typeof v === 'number') return field.endsWith('Cents') && Number.isInteger(v) ? h`<code>${v}</code> <span class="muted">(${dollars(v)})</span>` : h`<code>${v}</code>`;
  return h`<code>${JSON.stringify(v)}</code>`;
}

/** `field: from → to (result)` per changed field; pay data masked unless `showPay`. */
export function diffList(entity: string, diff: readonly FieldDiff[] | null, showPay: boolean): SafeHtml {
  if (diff === null || diff.length === 0) return h`<span class="muted">no field changes</span>`;
  return h`<ul class="diff">${diff.map((d) =>
    !showPay && isPayData(entity, d.field)
      ? h`<li>${d.field}: <span class="tag internal">pay data hidden</span> (${d.result}) <span class="muted">— on the record page</span></li>`
      : h`<li>${d.field}: ${value(d.from, d.field)} → ${value(d.to, d.field)} (<span class="tag ${d.result}">${d.result}</span>)</li>`,
  )}</ul>`;
}

/** A human name for a record: what ops recognise it by, before its id. */
export function recordLabel(entity: EntityName, fields: FieldMap | undefined): string | null {
  if (!fields) return null;
  const text = (k: string) => {
    const v = fields[k];
    return typeof v === 'string' && v.trim() !== '' ? v : null;
  };
  const person = [text('firstName'), text('lastName')].filter((x) => x !== null).join(' ');
  const label = text('name') ?? (person !== '' ? person : null) ?? text('title') ?? text('number');
  if (label !== null) return label;
  if (entity === 'time_entry') return text('workDate');
  return null;
}

/** A link to a record, labelled by its name when known, else by entity and id. */
export function recordLink(entity: string, id: string, label?: string | null): SafeHtml {
  return h`<a href="${recordHref(entity, id)}">${label ?? `${entity} ${id}`}</a>`;
}

export function tag(text: string): SafeHtml {
  return h`<span class="tag ${text}">${text}</span>`;
}

export function time(iso: string | null): SafeHtml {
  return iso === null ? h`<span class="null">—</span>` : h`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z')}</time>`;
}

/** `k v, k v` of a count map, or a dash. */
export function counts(map: Readonly<Record<string, number>>): string {
  const parts = Object.entries(map).map(([k, n]) => `${k} ${n}`);
  return parts.length === 0 ? '—' : parts.join(', ');
}
