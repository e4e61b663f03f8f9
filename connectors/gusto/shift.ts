/**
 * A canonical time entry knows a work date and hours, not clock times; a Gusto time sheet needs a
 * shift. The shift starts at 09:00 on the work date in the sheet's time zone and lasts the entries'
 * total hours: Gusto dates a sheet by its start in its own zone, so the work date survives in any
 * zone, and the hours are what payroll pays.
 */
export const SHIFT_START_HOUR = 9;

export interface Shift {
  readonly startedAt: string;
  readonly endedAt: string;
}

export function shiftFor(workDate: string, totalHours: number, timeZone: string): Shift {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(workDate);
  if (!match) throw new RangeError(`work date ${workDate} is not YYYY-MM-DD`);
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const start = localToUtc(y, m, d, SHIFT_START_HOUR, timeZone);
  const end = start + Math.round(totalHours * 60) * 60_000;
  return { startedAt: iso(start), endedAt: iso(end) };
}

/** Whether Intl knows the zone (an IANA name such as America/Chicago). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The UTC instant of a wall-clock time in a zone; two passes settle the offset across a DST change. */
function localToUtc(year: number, month: number, day: number, hour: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour);
  let utc = wall;
  for (let i = 0; i < 2; i++) utc = wall - offsetMs(utc, timeZone);
  return utc;
}

/** Local time minus UTC at an instant, in ms. */
function offsetMs(utcMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - utcMs;
}

/** `2025-07-08T13:00:00Z`: Gusto's spelling, without milliseconds. */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
