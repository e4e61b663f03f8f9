import { pgTables } from './schema.ts';

// drizzle-kit reads a module's exported tables, so each derived table is exported under its schema
// key (test/store/pg-schema.unit.test.ts fails when this list and the schema differ).
export const {
  apiKeys, approvalLinks, assignmentRates, assignments, auditLog, candidates, clients, commentRevisions,
  comments, conflicts, connectorState, contactWorksiteRoles, contacts, csvImportErrors, csvImports,
  documentLinkUses, documentVersions, documents, grants, hubInvoices, idempotencyKeys, identityReviews,
  inbox, invoiceLineTimeEntries, invoiceLines, invoices, ledger, links, magicLinks, notificationCursors,
  notificationDeliveries, notificationPreferences, notificationRules, notificationTemplates, opsIssues,
  outbox, portalEvents, reconcileStaging, requisitionRequestEvents, requisitionRequests,
  requisitionTemplates, requisitions, runs, scheduleSlots, sessions, submissions, syncCursors, timeEntries,
  timeEntryEvents, timeNudges, timeReminderSettings, users, webhookSubscriptions, worksites,
} = pgTables;
