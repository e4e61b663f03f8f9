/**
 * The vendor's own words from an error body, so ops read "Email has already been taken" instead of
 * "422". Only short texts from known message fields are taken, never the body itself: a vendor error
 * body can echo the record we sent.
 */

const MAX_LENGTH = 300;
const MAX_PARTS = 3;

export function extractVendorMessage(body: unknown): string | undefined {
  const parts: string[] = [];
  collect(body, parts, 0);
  if (parts.length === 0) return undefined;
  return clean(Array.from(new Set(parts)).slice(0, MAX_PARTS).join('; '));
}

function collect(value: unknown, parts: string[], depth: number): void {
  if (depth > 8 || parts.length >= MAX_PARTS) return;
  if (typeof value === 'string') {
    // A short plain-text body ("Bad Gateway"); an HTML error page is not a message.
    const text = value.trim();
    if (depth === 0 && text !== '' && text.length <= MAX_LENGTH && !text.startsWith('<')) parts.push(text);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collect(item, parts, depth + 1);
    return;
  }
  if (!isRecord(value)) return;
  // Bullhorn: errorMessage; Greenhouse and Gusto: message (+ field); OAuth: error_description.
  for (const key of ['errorMessage', 'message', 'error_description', 'detail', 'title', 'messageTxt']) {
    const text = value[key];
    if (typeof text === 'string' && text.trim() !== '') {
      const field = value['field'];
      parts.push(typeof field === 'string' && field !== '' ? `${field}: ${text.trim()}` : text.trim());
      break;
    }
  }
  // Nested shapes: Gusto/Greenhouse `errors[]`, `error{message}`, ADP `confirmMessage.resourceMessages[].processMessages[].userMessage`.
  for (const key of ['errors', 'error', 'confirmMessage', 'resourceMessages', 'processMessages', 'userMessage']) {
    const nested = value[key];
    if (typeof nested === 'string') {
      if (key === 'error' && parts.length === 0 && nested.trim() !== '') parts.push(nested.trim());
    } else if (nested !== undefined && nested !== null) {
      collect(nested, parts, depth + 1);
    }
  }
}

function clean(text: string): string {
  // Control characters would break log lines and ops tables.
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > MAX_LENGTH ? `${flat.slice(0, MAX_LENGTH - 1)}…` : flat;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
