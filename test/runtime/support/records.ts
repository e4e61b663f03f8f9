import { writeBillingFiles } from '../../../fixtures/demo/billing-files.ts';
import type { Dataset } from '../../../fixtures/dataset/index.ts';
import { importCsv } from '../../../src/csv/import.ts';
import type { SqliteStore } from '../../../src/store/index.ts';
import type { World } from './world.ts';

/** Rows read straight from SQLite: the tests check the database, not a repository's view of it. */
export function rows<T = Record<string, unknown>>(store: SqliteStore, sql: string, ...params: unknown[]): T[] {
  return store.db.prepare(sql).all(...params) as T[];
}

export interface LinkedEmployee {
  readonly uuid: string;
  readonly canonicalId: string;
  readonly firstName: string;
}

/** Gusto employees the hub has linked to canonical candidates, with an email and still employed. */
export async function linkedEmployees(world: World, count: number): Promise<LinkedEmployee[]> {
  const found: LinkedEmployee[] = [];
  for (const e of world.gusto.control.employees()) {
    if (typeof e['email'] !== 'string' || e['terminated'] === true) continue;
    const uuid = String(e['uuid']);
    const link = await world.hub.store().repos.links.get('gusto', 'candidate', uuid);
    if (link?.state === 'linked' && link.canonicalId !== null) found.push({ uuid, canonicalId: link.canonicalId, firstName: String(e['first_name']) });
    if (found.length === count) return found;
  }
  throw new Error(`only ${found.length} Gusto employees are linked to candidates, ${count} wanted`);
}

/** Billing's contacts (approver roles) and timesheets, imported as the CSV fallback does. */
export async function importBillingFiles(world: World, dataset: Dataset, dir: string): Promise<void> {
  const files = writeBillingFiles(dataset, world.bullhorn.control, dir);
  const hub = world.hub;
  for (const [kind, path] of [['contacts', files.contacts], ['time_entries', files.time]] as const) {
    const report = await importCsv({ store: hub.store(), engine: hub.engine(), mappings: hub.registry(), kind, path, source: 'billing' });
    if (report.status !== 'succeeded') throw new Error(`import of ${kind}: ${report.status}`);
  }
}

export interface Approvable {
  readonly entryId: string;
  readonly approverId: string;
  readonly hours: number;
}

/** Submitted time entries whose assignment payroll knows (a Gusto job), each with an approver at its worksite. */
export async function approvableEntries(store: SqliteStore, count: number): Promise<Approvable[]> {
  const found: Approvable[] = [];
  const submitted = await store.repos.canonical.list('time_entry', { where: { status: 'submitted' }, limit: 1_000 });
  for (const entry of submitted) {
    const assignment = await store.repos.canonical.get('assignment', String(entry.fields['assignmentId']));
    const worksiteId = assignment?.fields['worksiteId'];
    if (!assignment || typeof worksiteId !== 'string') continue;
    if (!(await store.repos.links.forCanonical('gusto', 'assignment', assignment.id))) continue;
    const roles = await store.repos.canonical.list('contact_worksite_role', { where: { worksiteId, role: 'approver' }, limit: 1 });
    const approverId = roles[0]?.fields['contactId'];
    if (typeof approverId !== 'string') continue;
    const hours = Number(entry.fields['regularHours']) + Number(entry.fields['overtimeHours']) + Number(entry.fields['doubleTimeHours']);
    if (hours === 0) continue; // zero-hour entries are not sent to payroll at all
    found.push({ entryId: entry.id, approverId, hours });
    if (found.length === count) return found;
  }
  throw new Error(`only ${found.length} submitted time entries have a payroll job and an approver, ${count} wanted`);
}

/**
 * Gusto time sheets carrying a push key in `metadata.portal_time_entry_id`. The Gusto connector puts
 * the outbox row's idempotency key there (not the time entry's id): it is how a retried create
 * finds the sheet it already made.
 */
export function timeSheetsTagged(world: World, key: string): Array<Record<string, unknown>> {
  return world.gusto.control.timeSheets().filter((s) => (s['metadata'] as Record<string, unknown> | undefined)?.['portal_time_entry_id'] === key);
}
