/**
 * Exact decimal arithmetic for money and hours. A vendor's 29.4 (a float) and "29.40" (a string)
 * must both become 2940 cents: binary floating point cannot do that reliably (29.4 * 100 is
 * 2939.9999999999995), so values are read as decimal digits and scaled with BigInt.
 */

/** value = sign × digits × 10^-scale */
export interface Decimal {
  readonly negative: boolean;
  readonly digits: bigint;
  readonly scale: number;
}

/** Plain decimals, with an optional `$` and correct thousands grouping: CSV exports carry both. */
const DECIMAL_TEXT = /^([+-])?\$?((?:\d{1,3}(?:,\d{3})+)|\d*)(?:\.(\d*))?$/;
/** What `Number.prototype.toString` produces: digits, optional fraction, optional exponent. */
const NUMBER_TEXT = /^(-)?(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;
const MAX_TEXT = 40;

export function parseDecimal(input: string | number): Decimal | null {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return null;
    // The shortest text that reads back as the same double: 29.4 → "29.4", which is what the vendor meant.
    const m = NUMBER_TEXT.exec(String(input));
    if (!m) return null;
    const int = m[2] ?? '0';
    const frac = m[3] ?? '';
    const exp = Number(m[4] ?? '0');
    return normalise(m[1] === '-', int + frac, frac.length - exp);
  }
  const text = input.trim();
  if (text.length === 0 || text.length > MAX_TEXT) return null;
  const m = DECIMAL_TEXT.exec(text);
  if (!m) return null;
  const int = (m[2] ?? '').replaceAll(',', '');
  const frac = m[3] ?? '';
  if (int === '' && frac === '') return null;
  return normalise(m[1] === '-', (int || '0') + frac, frac.length);
}

function normalise(negative: boolean, digitText: string, scale: number): Decimal {
  let digits = BigInt(digitText);
  let s = scale;
  if (s < 0) {
    digits *= 10n ** BigInt(-s);
    s = 0;
  }
  return { negative: negative && digits !== 0n, digits, scale: s };
}

/**
 * The value as an integer count of 10^-places units, rounded half away from zero: at two places
 * "34.125" → 3413 and "-34.125" → -3413 (the commercial rule payroll and invoicing use).
 */
export function toUnits(d: Decimal, places: number): bigint {
  let units: bigint;
  if (d.scale <= places) {
    units = d.digits * 10n ** BigInt(places - d.scale);
  } else {
    const divisor = 10n ** BigInt(d.scale - places);
    units = d.digits / divisor;
    if ((d.digits % divisor) * 2n >= divisor) units += 1n;
  }
  return d.negative ? -units : units;
}

/** True when the value has no digits beyond `places`. */
export function fitsPlaces(d: Decimal, places: number): boolean {
  if (d.scale <= places) return true;
  return d.digits % 10n ** BigInt(d.scale - places) === 0n;
}

/** `formatUnits(2940n, 2)` → "29.40"; `formatUnits(-5n, 2)` → "-0.05". */
export function formatUnits(units: bigint, places: number): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const text = abs.toString().padStart(places + 1, '0');
  const int = text.slice(0, text.length - places);
  const frac = text.slice(text.length - places);
  return `${negative ? '-' : ''}${int}${places > 0 ? `.${frac}` : ''}`;
}

/** A bigint as a JS number when it is a safe integer, else null. */
export function safeNumber(units: bigint): number | null {
  const n = Number(units);
  return Number.isSafeInteger(n) ? n : null;
}
