/**
 * A tagged template that escapes every interpolated value unless it is already `SafeHtml`. Vendor
 * data is untrusted: a candidate named `<script>alert(1)</script>` must reach the page as text, so
 * escaping is the default and opting out (`trusted`) is reserved for constants in this folder.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What a template may interpolate: markup, text, numbers, nothing, or lists of those. */
export type Part = SafeHtml | string | number | null | undefined | false | readonly Part[];

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and for quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof SafeHtml) return part.value;
  if (typeof part === 'number') return String(part);
  if (typeof part === 'string') return escapeHtml(part);
  return part.map(render).join('');
}

export function h(strings: TemplateStringsArray, ...values: readonly Part[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Markup written in this folder (the stylesheet): never call it on data. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
