import { effectiveHours, type HourFigures } from '../../model/index.ts';
import type { Repos } from '../../store/index.ts';

/**
 * Effective hours of original time entries: each original's figures plus its counted adjustments
 * (model/time-effective.ts). The one place other code (invoices, payroll checks, metrics) asks.
 * An id that is not an original entry (missing, or an adjustment) is left out of the map.
 */
export async function effectiveHoursOf(repos: Repos, ids: readonly string[]): Promise<Map<string, HourFigures>> {
  const originals = await repos.canonical.getMany('time_entry', ids);
  const adjustments = await repos.time.adjustmentsOf([...originals.keys()]);
  const byOriginal = new Map<string, typeof adjustments>();
  for (const a of adjustments) byOriginal.set(a.adjustsEntryId, [...(byOriginal.get(a.adjustsEntryId) ?? []), a]);
  const out = new Map<string, HourFigures>();
  for (const [id, row] of originals) {
    if (row.fields['adjustsEntryId'] !== null) continue;
    out.set(id, effectiveHours(hoursOf(row.fields), byOriginal.get(id) ?? []));
  }
  return out;
}

/** The three hour figures of a time entry's fields. */
export function hoursOf(fields: Readonly<Record<string, unknown>>): HourFigures {
  return { regularHours: Number(fields['regularHours']), overtimeHours: Number(fields['overtimeHours']), doubleTimeHours: Number(fields['doubleTimeHours']) };
}
