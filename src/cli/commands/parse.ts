import { UsageError } from '../errors.ts';

export function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`expected a whole number, got "${value}"`);
  return n;
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An ISO time, or a duration back from now: 30m, 2h, 7d. */
export function parseSince(value: string, now = Date.now()): string {
  const rel = /^(\d+)([mhd])$/.exec(value);
  if (rel) return new Date(now - Number(rel[1]) * (UNITS[rel[2] ?? 'm'] ?? 0)).toISOString();
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--since expects an ISO time or a duration such as 2h or 7d, got "${value}"`);
  return new Date(t).toISOString();
}
