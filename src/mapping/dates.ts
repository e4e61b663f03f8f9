/**
 * The date formats vendors use (Bullhorn epoch ms, Gusto ISO dates, CSV MM/DD/YYYY) read into
 * either a calendar date or an instant, and written back. A calendar date derived from an instant
 * is taken in a named time zone (UTC unless the mapping says otherwise): 20:00 on the 6th in
 * Chicago is already the 7th in UTC, and a work date must not move because of it.
 */

export const DATE_FORMATS = ['iso-date', 'iso-datetime', 'epoch-ms', 'epoch-s', 'us-date'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export type ParsedDate =
  | { readonly kind: 'date'; readonly y: number; readonly m: number; readonly d: number }
  | { readonly kind: 'instant'; readonly ms: number };

/** Years outside this range are almost always a unit mistake (seconds read as milliseconds). */
const MIN_YEAR = 1000;
const MAX_YEAR = 9999;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const INTEGER = /^-?\d{1,16}$/;
const DECIMAL = /^-?\d{1,13}(?:\.\d{1,6})?$/;

function validDate(y: number, m: number, d: number): boolean {
  if (y < MIN_YEAR || y > MAX_YEAR || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function inRange(ms: number): boolean {
  if (!Number.isFinite(ms)) return false;
  const y = new Date(ms).getUTCFullYear();
  return y >= MIN_YEAR && y <= MAX_YEAR;
}

const FORMAT_WORDS: Record<DateFormat, string> = {
  'iso-date': 'a date (YYYY-MM-DD)',
  'iso-datetime': 'an ISO date-time with an offset',
  'epoch-ms': 'epoch milliseconds',
  'epoch-s': 'epoch seconds',
  'us-date': 'a date (MM/DD/YYYY)',
};

export function describeFormat(format: DateFormat): string {
  return FORMAT_WORDS[format];
}

/** Reads a vendor value in the given format; null when it is not one. */
export function parseDate(format: DateFormat, raw: unknown): ParsedDate | null {
  switch (format) {
    case 'iso-date': {
      const m = typeof raw === 'string' ? ISO_DATE.exec(raw.trim()) : null;
      return m ? dateOf(Number(m[1]), Number(m[2]), Number(m[3])) : null;
    }
    case 'us-date': {
      const m = typeof raw === 'string' ? US_DATE.exec(raw.trim()) : null;
      return m ? dateOf(Number(m[3]), Number(m[1]), Number(m[2])) : null;
    }
    case 'iso-datetime':
      return typeof raw === 'string' ? parseIsoDateTime(raw.trim()) : null;
    case 'epoch-ms':
    case 'epoch-s': {
      let n: number;
      if (typeof raw === 'number') n = raw;
      else if (typeof raw === 'string' && (format === 'epoch-ms' ? INTEGER : DECIMAL).test(raw.trim())) n = Number(raw.trim());
      else return null;
      if (format === 'epoch-ms' && !Number.isInteger(n)) return null;
      const ms = format === 'epoch-ms' ? n : Math.round(n * 1000);
      return inRange(ms) ? { kind: 'instant', ms } : null;
    }
  }
}

function dateOf(y: number, m: number, d: number): ParsedDate | null {
  return validDate(y, m, d) ? { kind: 'date', y, m, d } : null;
}

export function parseIsoDateTime(text: string): ParsedDate | null {
  const m = ISO_DATETIME.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
  const s = Number(m[6] ?? '0');
  const ms = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  if (y === undefined || mo === undefined || d === undefined || h === undefined || mi === undefined) return null;
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return null;
  const zone = m[8] ?? 'Z';
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2));
    if (oh > 23 || om > 59) return null;
    offsetMin = sign * (oh * 60 + om);
  }
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMin * 60_000;
  return inRange(utc) ? { kind: 'instant', ms: utc } : null;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Calendar fields of an instant as seen on a wall clock in `timeZone`. */
function wallClock(ms: number, timeZone: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  if (timeZone === 'UTC') {
    const t = new Date(ms);
    return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours(), mi: t.getUTCMinutes(), s: t.getUTCSeconds() };
  }
  const parts = formatter(timeZone).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? '0');
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour') % 24, mi: get('minute'), s: get('second') };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const knownZones = new Map<string, boolean>();

/** True when the name is a time zone this runtime knows (IANA names such as America/Chicago). */
export function isTimeZone(name: string): boolean {
  let known = knownZones.get(name);
  if (known === undefined) {
    try {
      formatter(name);
      known = true;
    } catch {
      known = false;
    }
    // Bounded: names come from mapping files, but a generator can invent many.
    if (knownZones.size < 1000) knownZones.set(name, known);
  }
  return known;
}

/** The instant of midnight starting a calendar date in `timeZone`. */
function midnight(y: number, m: number, d: number, timeZone: string): number {
  const guess = Date.UTC(y, m - 1, d);
  if (timeZone === 'UTC') return guess;
  // Two rounds settle the offset even when the guess lands on the other side of a DST change.
  let t = guess;
  for (let i = 0; i < 2; i++) {
    const w = wallClock(t, timeZone);
    const offset = Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - t;
    t = guess - offset;
  }
  return t;
}

/** The canonical form: `YYYY-MM-DD` for date fields, a UTC ISO instant for date-time fields. */
export function toCanonical(parsed: ParsedDate, target: 'date' | 'datetime', timeZone: string): string {
  if (target === 'date') {
    if (parsed.kind === 'date') return `${parsed.y}-${pad(parsed.m)}-${pad(parsed.d)}`;
    const w = wallClock(parsed.ms, timeZone);
    return `${w.y}-${pad(w.m)}-${pad(w.d)}`;
  }
  const ms = parsed.kind === 'instant' ? parsed.ms : midnight(parsed.y, parsed.m, parsed.d, timeZone);
  return new Date(ms).toISOString();
}

/** Reads a canonical date or date-time value (as the store keeps it). */
export function parseCanonical(value: string): ParsedDate | null {
  return parseDate('iso-date', value) ?? parseIsoDateTime(value);
}

/** Writes a canonical value back in the vendor's format. */
export function fromCanonical(parsed: ParsedDate, format: DateFormat, timeZone: string): string | number {
  const instant = () => (parsed.kind === 'instant' ? parsed.ms : midnight(parsed.y, parsed.m, parsed.d, timeZone));
  const calendar = () => {
    if (parsed.kind === 'date') return parsed;
    const w = wallClock(parsed.ms, timeZone);
    return { y: w.y, m: w.m, d: w.d };
  };
  switch (format) {
    case 'epoch-ms':
      return instant();
    case 'epoch-s':
      return Math.floor(instant() / 1000);
    case 'iso-datetime':
      return new Date(instant()).toISOString();
    case 'iso-date': {
      const c = calendar();
      return `${c.y}-${pad(c.m)}-${pad(c.d)}`;
    }
    case 'us-date': {
      const c = calendar();
      return `${pad(c.m)}/${pad(c.d)}/${c.y}`;
    }
  }
}
