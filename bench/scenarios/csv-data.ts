import { generateDataset } from '../../fixtures/dataset/index.ts';
import { ENTITIES, type EntityName } from '../../src/model/index.ts';
import type { CanonicalWrite, LinkRow, Store } from '../../src/store/index.ts';

/**
 * The CSV scenarios' time entries (SQLite and PostgreSQL): generated from the dataset's active
 * placements, one a weekday from each start, written as billing's file writes them.
 */

/** Placements enough for the rows: each active one works a run of weekdays from its start. */
export function scaleFor(rows: number): number {
  return Math.max(1, Math.ceil(rows / 40 / 1500));
}

export interface TimeRow {
  placement: string;
  employee: string;
  date: string;
  iso: string;
  reg: string;
  ot: string;
  note: string;
}

export function* timeRows(rows: number): Generator<TimeRow> {
  const ds = generateDataset({ scale: scaleFor(rows) });
  const names = new Map(ds.candidates.map((c) => [c.key, `${c.firstName} ${c.lastName}`]));
  const active = ds.assignments.filter((a) => a.status === 'active');
  const perAssignment = Math.ceil(rows / active.length) + 5;
  let n = 0;
  for (const a of active) {
    let day = Date.parse(`${a.startDate}T00:00:00Z`) / 86_400_000;
    const end = a.endDate === null ? Number.POSITIVE_INFINITY : Date.parse(`${a.endDate}T00:00:00Z`) / 86_400_000;
    for (let k = 0; k < perAssignment && day <= end; day++) {
      const dow = (((day + 4) % 7) + 7) % 7;
      if (dow === 0 || dow === 6) continue;
      const iso = new Date(day * 86_400_000).toISOString().slice(0, 10);
      const date = `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;
      const note = n % 7 === 3 ? 'said "ok" to the late start' : n % 6 === 1 ? 'late start, left early' : '';
      yield { placement: a.key, employee: names.get(a.candidateId) ?? '', date, iso, reg: n % 5 === 0 ? '7.50' : '8.00', ot: n % 9 === 0 ? '1.25' : '', note };
      k++;
      if (++n >= rows) return;
    }
  }
  throw new Error(`only ${n} rows from scale ${scaleFor(rows)}`);
}

export function csvLine(r: TimeRow): string {
  const q = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  return `${r.placement},${q(r.employee)},${r.date},${r.reg},${r.ot},,Approved,${q(r.note)}\r\n`;
}

export const HEADER = 'Placement ID,Employee,Work Date,Reg Hrs,OT Hrs,DT Hrs,Status,Note\r\n';


/** The dataset's organisations and placements for `rows` time entries, linked as Bullhorn records (untimed set-up). */
export async function seedPlacements(store: Store, rows: number): Promise<void> {
  const ds = generateDataset({ scale: scaleFor(rows) });
  const now = '2026-11-20T00:00:00.000Z';
  const add = async (entity: EntityName, items: ReadonlyArray<{ key: string } & Record<string, unknown>>) => {
    for (let i = 0; i < items.length; i += 10_000) {
      const slice = items.slice(i, i + 10_000);
      const writes: CanonicalWrite[] = slice.map((item) => {
        const f: Record<string, string | number | null> = {};
        for (const field of Object.keys(ENTITIES[entity].schema.shape)) f[field] = (item[field] as string | number | null | undefined) ?? null;
        return { id: item.key, fields: f, changedAt: now };
      });
      const links: LinkRow[] = slice.map((item) => ({
        system: 'bullhorn', entity, externalId: item.key, canonicalId: item.key, state: 'linked', base: null, sourceHash: null, sourceModifiedAt: null,
        pending: null, waitingOn: null, reason: null, meta: null, tombstonedAt: null, seenRunId: null, createdAt: now, updatedAt: now,
      }));
      await store.unitOfWork(async (tx) => {
        await tx.canonical.insertMany(entity, writes, now);
        await tx.links.upsertMany(links);
      });
    }
  };
  await add('client', ds.clients);
  await add('worksite', ds.worksites);
  await add('contact', ds.contacts);
  await add('requisition', ds.requisitions);
  await add('candidate', ds.candidates);
  await add('assignment', ds.assignments);
}
