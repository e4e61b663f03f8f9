import { isTimeZone, shiftFor } from '../shift.ts';

/** The zone of a pushed time sheet when neither the body nor the `timeZone` setting names one. */
export const DEFAULT_TIME_ZONE = 'America/New_York';

const PAY_CLASSIFICATIONS = ['Regular', 'Overtime', 'Double overtime'] as const;

export interface TimeSheetTarget {
  readonly employeeUuid: string;
  readonly jobUuid: string;
  readonly timeZone: string;
  /** Goes into `metadata.portal_time_entry_id`: how a retried create finds the first one. */
  readonly portalTimeEntryId: string;
}

export type BodyProblem = { readonly ok: false; readonly reason: string };
export type GustoTimeSheetBody = { readonly ok: true; readonly body: Record<string, unknown>; readonly workDate: string };

/**
 * The `POST …/time_tracking/time_sheets` body (payloads/gusto-time-sheet-create-request.json) from
 * what the mapping wrote: `job_uuid`, `shift_started_at` as the work date (YYYY-MM-DD; a full
 * timestamp is kept as given), and `entries` per pay classification. The connector adds the
 * employee, the zone, the shift's clock times and the metadata key. Zero-hour entries are left out
 * (one stays if all are zero: Gusto wants at least one).
 */
export function buildTimeSheetBody(mapped: Readonly<Record<string, unknown>>, target: TimeSheetTarget): GustoTimeSheetBody | BodyProblem {
  const timeZone = typeof mapped['time_zone'] === 'string' ? mapped['time_zone'] : target.timeZone;
  if (!isTimeZone(timeZone)) return { ok: false, reason: `time zone ${timeZone} is not an IANA zone` };
  const extraMeta = typeof mapped['metadata'] === 'object' && mapped['metadata'] !== null ? (mapped['metadata'] as Record<string, unknown>) : {};
  // An adjustment sheet (it names the sheet it corrects) carries signed hours: the change, not a day.
  const adjustment = typeof extraMeta['adjusts_time_sheet_uuid'] === 'string';
  const entries = readEntries(mapped['entries'], adjustment);
  if (!entries.ok) return entries;
  // An adjustment's shift lasts its absolute change (a shift cannot run backwards).
  const total = Math.abs(entries.entries.reduce((sum, e) => sum + e.hours_worked, 0));
  const start = mapped['shift_started_at'];
  let shift: { startedAt: string; endedAt: string };
  let workDate: string;
  if (typeof start === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(start)) {
    shift = shiftFor(start, total, timeZone);
    workDate = start;
  } else if (typeof start === 'string' && !Number.isNaN(Date.parse(start))) {
    const startMs = Date.parse(start);
    const end = typeof mapped['shift_ended_at'] === 'string' ? mapped['shift_ended_at'] : new Date(startMs + Math.round(total * 60) * 60_000).toISOString().replace('.000Z', 'Z');
    shift = { startedAt: start, endedAt: end };
    workDate = new Date(startMs).toISOString().slice(0, 10);
  } else {
    return { ok: false, reason: 'shift_started_at (the work date) is missing' };
  }
  const metadata = Object.fromEntries(Object.entries(extraMeta).filter((kv): kv is [string, string] => typeof kv[1] === 'string'));
  return {
    ok: true,
    workDate,
    body: {
      entity_uuid: target.employeeUuid,
      entity_type: 'Employee',
      job_uuid: target.jobUuid,
      time_zone: timeZone,
      shift_started_at: shift.startedAt,
      shift_ended_at: shift.endedAt,
      metadata: { ...metadata, portal_time_entry_id: target.portalTimeEntryId },
      entries: entries.entries,
    },
  };
}

type Entry = { readonly hours_worked: number; readonly pay_classification: string };

function readEntries(raw: unknown, signed: boolean): { ok: true; entries: Entry[] } | BodyProblem {
  if (!Array.isArray(raw) || raw.length === 0) return { ok: false, reason: 'no entries (hours) to send' };
  const entries: Entry[] = [];
  for (const item of raw) {
    if (typeof item !== 'object' || item === null) return { ok: false, reason: 'an entry is not an object' };
    const record = item as Record<string, unknown>;
    const hours = typeof record['hours_worked'] === 'number' ? record['hours_worked'] : Number(record['hours_worked']);
    const classification = PAY_CLASSIFICATIONS.find((c) => c.toLowerCase() === String(record['pay_classification']).toLowerCase());
    if (!Number.isFinite(hours) || (hours < 0 && !signed)) return { ok: false, reason: `hours ${String(record['hours_worked'])} are not a number of hours` };
    if (classification === undefined) return { ok: false, reason: `pay classification ${String(record['pay_classification'])} is not one of ${PAY_CLASSIFICATIONS.join(', ')}` };
    entries.push({ hours_worked: hours, pay_classification: classification });
  }
  const worked = entries.filter((e) => e.hours_worked !== 0);
  return { ok: true, entries: worked.length > 0 ? worked : entries.slice(0, 1) };
}

/** The stable part of the hub's idempotency key: the outbox row, without the content hash the hub appends. */
export function stableKey(idempotencyKey: string): string {
  return idempotencyKey.replace(/:[0-9a-f]{16}$/, '');
}
