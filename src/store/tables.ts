import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { ENTITY_NAMES, type EntityName } from '../model/index.ts';
import * as t from './schema/canonical.ts';

/** The table behind each canonical entity. */
export const ENTITY_TABLES: Readonly<Record<EntityName, SQLiteTable>> = {
  client: t.clients,
  worksite: t.worksites,
  contact: t.contacts,
  contact_worksite_role: t.contactWorksiteRoles,
  requisition: t.requisitions,
  candidate: t.candidates,
  submission: t.submissions,
  assignment: t.assignments,
  assignment_rate: t.assignmentRates,
  time_entry: t.timeEntries,
  time_entry_event: t.timeEntryEvents,
  invoice: t.invoices,
  invoice_line: t.invoiceLines,
  document: t.documents,
};

export interface TableInfo {
  readonly name: string;
  /** model field → column name, bookkeeping columns excluded. */
  readonly columns: ReadonlyMap<string, string>;
}

const BOOKKEEPING = new Set(['id', 'revision', 'createdAt', 'updatedAt', 'changedAt', 'deletedAt']);

function describe(table: SQLiteTable): TableInfo {
  const config = getTableConfig(table);
  const columns = new Map<string, string>();
  for (const [key, column] of Object.entries(table)) {
    if (BOOKKEEPING.has(key)) continue;
    if (typeof column === 'object' && column !== null && 'name' in column && config.columns.includes(column as never)) {
      columns.set(key, (column as { name: string }).name);
    }
  }
  return { name: config.name, columns };
}

export const TABLE_INFO: Readonly<Record<EntityName, TableInfo>> = Object.fromEntries(
  ENTITY_NAMES.map((e) => [e, describe(ENTITY_TABLES[e])]),
) as Record<EntityName, TableInfo>;
