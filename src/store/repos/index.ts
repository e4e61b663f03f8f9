import { AccessRepo } from './access-repo.ts';
import { AuditRepo } from './audit-repo.ts';
import { CanonicalRepo } from './canonical-repo.ts';
import { CommentsRepo } from './comments-repo.ts';
import { DocumentsRepo } from './documents-repo.ts';
import { ConflictsRepo } from './conflicts-repo.ts';
import { CursorsRepo } from './cursors-repo.ts';
import { EventsRepo } from './events-repo.ts';
import { IdempotencyRepo } from './idempotency-repo.ts';
import { IdentityRepo } from './identity-repo.ts';
import { ImportsRepo } from './imports-repo.ts';
import { InboxRepo } from './inbox-repo.ts';
import { InvoicingRepo } from './invoicing-repo.ts';
import { LedgerRepo } from './ledger-repo.ts';
import { LinksRepo } from './links-repo.ts';
import { NotificationsRepo } from './notifications-repo.ts';
import { OpsIssuesRepo } from './ops-issues-repo.ts';
import { OutboxRepo } from './outbox-repo.ts';
import { ReconcileRepo } from './reconcile-repo.ts';
import { RequisitionRequestsRepo } from './requisition-requests-repo.ts';
import { RunsRepo } from './runs-repo.ts';
import { SlotsRepo } from './slots-repo.ts';
import { StateRepo } from './state-repo.ts';
import { TimeRepo } from './time-repo.ts';
import type { Keyring } from '../../lib/secret-box.ts';
import type { SqlRunner } from '../sql/runner.ts';

/** Every repository, bound to one connection. Inside a unit of work, they share its transaction. */
export interface Repos {
  readonly canonical: CanonicalRepo;
  readonly links: LinksRepo;
  readonly ledger: LedgerRepo;
  readonly conflicts: ConflictsRepo;
  readonly outbox: OutboxRepo;
  readonly inbox: InboxRepo;
  readonly runs: RunsRepo;
  readonly cursors: CursorsRepo;
  readonly slots: SlotsRepo;
  readonly state: StateRepo;
  readonly reconcile: ReconcileRepo;
  /** CSV imports and exports: file identity, progress, row errors, and their bulk reads. */
  readonly imports: ImportsRepo;
  /** Ops users, grants, API keys, sessions, magic links. */
  readonly access: AccessRepo;
  /** The append-only access audit. */
  readonly audit: AuditRepo;
  readonly idempotency: IdempotencyRepo;
  /** The identity review queue: parked external records and ops' answers. */
  readonly identity: IdentityRepo;
  /** Portal events, appended with the change they report (model/events.ts). */
  readonly events: EventsRepo;
  /** Notification rules, preferences, subscriptions, templates, approval links and deliveries. */
  readonly notifications: NotificationsRepo;
  /** Document versions and spent single-use download links. */
  readonly documents: DocumentsRepo;
  /** Comments on records, with their revisions. */
  readonly comments: CommentsRepo;
  /** Invoices drafted from approved time: billable time, rate cards, line ↔ time entry links. */
  readonly invoicing: InvoicingRepo;
  /** Requisition requests (draft → open), their history and the clients' request templates. */
  readonly requisitionRequests: RequisitionRequestsRepo;
  readonly time: TimeRepo;
  /** The console's durable ops issues (opened, refreshed and resolved by the health checks). */
  readonly opsIssues: OpsIssuesRepo;
}

/**
 * Every repository over one runner: the store's connection, or one unit of work's transaction.
 * Repositories are written once for both dialects against SqlRunner.
 */
export function createRepos(sql: SqlRunner, keyring: Keyring | null): Repos {
  return {
    canonical: new CanonicalRepo(sql),
    links: new LinksRepo(sql),
    ledger: new LedgerRepo(sql),
    conflicts: new ConflictsRepo(sql),
    outbox: new OutboxRepo(sql),
    inbox: new InboxRepo(sql),
    runs: new RunsRepo(sql),
    cursors: new CursorsRepo(sql),
    slots: new SlotsRepo(sql),
    state: new StateRepo(sql, keyring),
    reconcile: new ReconcileRepo(sql),
    imports: new ImportsRepo(sql),
    access: new AccessRepo(sql),
    audit: new AuditRepo(sql),
    idempotency: new IdempotencyRepo(sql),
    identity: new IdentityRepo(sql),
    events: new EventsRepo(sql),
    notifications: new NotificationsRepo(sql, keyring),
    documents: new DocumentsRepo(sql),
    comments: new CommentsRepo(sql),
    invoicing: new InvoicingRepo(sql),
    requisitionRequests: new RequisitionRequestsRepo(sql),
    time: new TimeRepo(sql),
    opsIssues: new OpsIssuesRepo(sql),
  };
}
