import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Durable ops issues shown on the console's health home: one row per problem (credentials failing,
 * webhooks stopped, outbox parked, reconcile drift, …) per system, with when it was first and last
 * seen and how many evaluations saw it. An evaluator (src/http/console/queries/health.ts) opens,
 * refreshes and resolves them; a resolved issue that comes back opens a new row.
 */
export const opsIssues = sqliteTable(
  'ops_issues',
  {
    id: text('id').primaryKey(),
    /** The condition's key: `<check>:<system>` (one open row per key). */
    key: text('key').notNull(),
    check: text('check').notNull(),
    system: text('system').notNull(),
    title: text('title').notNull(),
    detail: text('detail').notNull(),
    firstSeen: text('first_seen').notNull(),
    lastSeen: text('last_seen').notNull(),
    count: integer('count').notNull(),
    resolvedAt: text('resolved_at'),
  },
  (t) => [index('ops_issues_open').on(t.resolvedAt, t.key)],
);
