/**
 * The connector contract. A connector turns a vendor's API into vendor records and back; it never
 * touches the store or the engine (mapping and merge happen in the hub). Everything here is plain
 * data so jobs can carry cursors and events through a queue.
 */

import type { RequestStats } from './http.ts';

/** A record as the vendor sends it (validated loosely at the edge: `.passthrough()` schemas). */
export type VendorRecord = Readonly<Record<string, unknown>>;

/** Opaque, JSON-serialisable position in a listing; only the connector that made it reads it. */
export type PageCursor = Readonly<Record<string, string | number | boolean | null>>;

export interface PullRequest {
  /** The vendor entity, as named in its mapping file (`Placement`, `employees`). */
  readonly entity: string;
  /** Only records modified at or after this time (ISO); null for a full listing. */
  readonly since: string | null;
  /** Where to continue; null for the first page. */
  readonly cursor: PageCursor | null;
  /** Vendor field paths the mappings need (Bullhorn's `fields=`); connectors may ignore it. */
  readonly fields?: readonly string[];
  readonly pageSize?: number;
}

export interface PullPage {
  readonly records: readonly VendorRecord[];
  /** Null on the last page. */
  readonly next: PageCursor | null;
  /** Total the source reports, when it does (progress display). */
  readonly total?: number;
}

export type PushOp = 'create' | 'update';

export interface PushRequest {
  readonly entity: string;
  readonly op: PushOp;
  /** The vendor's id for updates. */
  readonly externalId?: string;
  /** Vendor-shaped body built by the mapping's outbound side. */
  readonly body: VendorRecord;
  /** Stable across retries of the same outbox row: sent where the vendor supports one, and used to find a create that landed before a timeout. */
  readonly idempotencyKey: string;
  /** The link's vendor bookkeeping (Gusto `version`, job uuid). */
  readonly meta: Readonly<Record<string, unknown>>;
  /**
   * For each reference field of the outbound mapping: the target record's id in this system and its
   * link bookkeeping (a Gusto time sheet needs the employee uuid kept on the assignment's link).
   */
  readonly related?: Readonly<Record<string, { readonly externalId: string; readonly meta: Readonly<Record<string, unknown>> }>>;
}

export interface PushResult {
  readonly externalId: string;
  /** The record as read back after the write (read-after-write confirmation), when the API allows. */
  readonly confirmed?: VendorRecord;
  /** Bookkeeping to keep on the link for the next push (a new `version`). */
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** An inbound notification reduced to what the hub needs: which record changed. */
export interface ChangeEvent {
  /** Unique per system: the dedupe key of the inbox. */
  readonly eventId: string;
  readonly entity: string;
  readonly externalId: string;
  readonly kind: 'created' | 'updated' | 'deleted';
  /** ISO time the vendor stamped on the event, when it has one. */
  readonly occurredAt: string | null;
}

export type VerifyResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 400 | 401; readonly reason: string };

export interface EventBatch {
  /** Bullhorn's requestId: fetch the same batch again when processing fails. */
  readonly batchId: string | null;
  readonly events: readonly ChangeEvent[];
}

/** What a connector can do, made for one configured system. */
export interface ConnectorInstance {
  pullPage(request: PullRequest): Promise<PullPage>;
  fetchByIds(entity: string, ids: readonly string[]): Promise<VendorRecord[]>;
  push(request: PushRequest): Promise<PushResult>;
  /** Webhook systems: verify the raw bytes (before any parsing) with the vendor's scheme. */
  verifyWebhook?(rawBody: Buffer, headers: Readonly<Record<string, string | undefined>>): VerifyResult;
  /** Webhook systems: the events in a verified body (malformed bodies throw a WebhookPayloadError). */
  parseWebhook?(rawBody: Buffer, headers: Readonly<Record<string, string | undefined>>): ChangeEvent[];
  /**
   * A subscription handshake the vendor sends unsigned (Gusto posts its verification token): true
   * when the body was one and the connector took it. Called only for deliveries that fail verification.
   */
  acceptWebhookHandshake?(rawBody: Buffer, headers: Readonly<Record<string, string | undefined>>): Promise<boolean>;
  /**
   * Event-queue systems (Bullhorn subscriptions, ADP): the next batch, or a batch again by id.
   * `lastDoneBatchId` is the last batch the hub wrote to its inbox: a connector whose vendor
   * forgets fetched events uses it to find a batch fetched by a poll that died before writing it;
   * one reading a feed reads after it, so its position moves only when the hub has the events.
   */
  pollEvents?(againBatchId?: string, lastDoneBatchId?: string): Promise<EventBatch>;
  close?(): Promise<void>;
  /** Requests used (and allowed by the rate limit) since the instance was made: run reports and benchmarks. */
  requestStats?(): RequestStats;
}
