import type { Hono } from 'hono';
import type { Authenticator } from '../access/authenticate.ts';
import type { Mailer } from '../access/mail/mailer.ts';
import type { DocumentServices } from '../documents/runtime.ts';
import type { SyncPolicy } from '../engine/index.ts';
import type { EntityName } from '../model/index.ts';
import type { Store } from '../store/index.ts';
import type { AppEnv } from './env.ts';
import type { HttpLogger } from './logger.ts';
import type { RouteRegistrar } from './route.ts';

export type { HttpLogger };

/** What a sync or reconcile trigger hands back: the run it started (if any) and the queued jobs. */
export interface TriggerResult {
  runId?: string;
  jobIds: string[];
}

export interface CheckResult {
  ok: boolean;
  detail?: string;
}

/** A configured system as the API sees it: enough to validate `:id` and to report health. */
export interface HttpSystem {
  readonly id: string;
  readonly kind: string;
}

/**
 * Counters kept in this process and exposed on `/metrics`. The webhook route (outside this module)
 * increments the webhook maps; the API increments `httpResponses`.
 */
export interface HttpCounters {
  /** Deliveries refused by signature or timestamp verification, by system. */
  readonly webhookVerifyFailures: Map<string, number>;
  /** Deliveries written to the inbox as new rows, by system. */
  readonly webhookAccepted: Map<string, number>;
  /** Deliveries whose event id was already in the inbox, by system. */
  readonly webhookDuplicates: Map<string, number>;
  /** Responses served, keyed by method, route template and status (see `countResponse`). */
  readonly httpResponses: Map<string, { method: string; route: string; status: number; count: number }>;
}

export function createCounters(): HttpCounters {
  return { webhookVerifyFailures: new Map(), webhookAccepted: new Map(), webhookDuplicates: new Map(), httpResponses: new Map() };
}

/** Adds one to a per-system counter (what the webhook route calls). */
export function increment(counter: Map<string, number>, key: string, by = 1): void {
  counter.set(key, (counter.get(key) ?? 0) + by);
}

export interface HttpDeps {
  readonly store: Store;
  readonly policy: SyncPolicy;
  /**
   * CROSSWALK_ADMIN_TOKEN: accepted only to create the first ops user, and only when it is at least
   * 32 characters. Null: the API has no bootstrap credential (create users with the CLI).
   */
  readonly adminToken: string | null;
  /** Resolves each request's principal. @defaultValue createAuthenticator over the store and admin token */
  readonly authenticator?: Authenticator;
  /** Delivers magic links. Absent: `POST /api/v1/auth/magic-link` answers 501. */
  readonly mailer?: Mailer;
  /** The public base URL magic links point at. @defaultValue the request's own origin */
  readonly publicUrl?: string;
  readonly systems: readonly HttpSystem[];
  /** The clock, ISO-8601 UTC. @defaultValue nowIso */
  readonly now?: () => string;
  /** Shared with the webhook route. @defaultValue a fresh set from createCounters() */
  readonly counters?: HttpCounters;
  /** @defaultValue a pino logger named `http` */
  readonly log?: HttpLogger;
  /** Largest JSON body an API route reads, in bytes; bigger ones get 413. @defaultValue 1048576 */
  readonly jsonBodyLimit?: number;
  /** Queues a pull. Absent: `POST /api/v1/systems/:id/sync` answers 501. */
  readonly triggerSync?: (systemId: string, entity: EntityName | null, full: boolean) => Promise<TriggerResult>;
  /** Queues a reconciliation. Absent: `POST /api/v1/systems/:id/reconcile` answers 501. */
  readonly triggerReconcile?: (systemId: string, entity: EntityName | null) => Promise<TriggerResult>;
  /** Called after any successful write request (portal actions, resolutions, replays): queue due pushes. */
  readonly afterWrite?: () => void;
  /** Extra health checks (Redis, workers); each name becomes a check in `/health`. */
  readonly health?: () => Promise<Record<string, CheckResult>>;
  /** Extra Prometheus exposition text (queue depths), appended to `/metrics`. */
  readonly metrics?: () => Promise<string>;
  /**
   * Adds routes (webhooks, Bull Board, uploads). Called after the API's own middleware and routes;
   * routes added through `api.route` are validated the same way and appear in the OpenAPI document.
   */
  readonly mount?: (app: Hono<AppEnv>, api: RouteRegistrar) => void;
  /** Blob store, link signer and size limit of documents. @defaultValue documentServicesFor(store) */
  readonly documents?: DocumentServices;
}

/** HttpDeps with every default filled in: what route modules receive. */
export interface ResolvedDeps extends HttpDeps {
  readonly now: () => string;
  readonly counters: HttpCounters;
  readonly log: HttpLogger;
  readonly jsonBodyLimit: number;
  readonly documents: DocumentServices;
}
