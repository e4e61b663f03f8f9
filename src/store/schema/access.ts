import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Portal access: who the callers are (ops users), what they hold (grants beside the canonical
 * contact–worksite roles), how they prove it (API keys, sessions, magic links — secrets stored
 * only as SHA-256 hashes), what they did (the append-only access audit) and which POSTs already ran
 * (idempotency keys). None of it is canonical data: it never syncs to a vendor.
 */

/** Internal staff: the console, Bull Board and the ops side of the API. */
export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    /** Lower-cased; the sign-in name and the OIDC claim a token maps to. */
    email: text('email').notNull(),
    name: text('name'),
    /** ops_admin | coordinator | recruiter | billing | viewer */
    role: text('role').notNull(),
    /** `scrypt$N$r$p$salt$hash` (base64url); null for a user who signs in only through OIDC. */
    passwordHash: text('password_hash'),
    /** active | disabled */
    status: text('status').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('users_email').on(t.email)],
);

/**
 * Roles that are not a contact's role at a worksite (those are the canonical
 * `contact_worksite_roles`): a contact's `client_admin` of a client, a dated `delegate_approver` at a
 * worksite standing in for another contact, an internal user's `recruiter` / `coordinator` /
 * `billing` at a client or a worksite. Revoked grants stay, with the time and who revoked them.
 */
export const grants = sqliteTable(
  'grants',
  {
    id: text('id').primaryKey(),
    /** contact | user */
    subjectKind: text('subject_kind').notNull(),
    subjectId: text('subject_id').notNull(),
    /** client_admin | delegate_approver | recruiter | coordinator | billing */
    role: text('role').notNull(),
    clientId: text('client_id'),
    worksiteId: text('worksite_id'),
    /** A delegate's principal: the approver it stands in for (informational; authority is the worksite's). */
    forContactId: text('for_contact_id'),
    /** Inclusive ISO dates; null is open-ended. */
    validFrom: text('valid_from'),
    validTo: text('valid_to'),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by').notNull(),
    revokedAt: text('revoked_at'),
    revokedBy: text('revoked_by'),
  },
  (t) => [index('grants_subject').on(t.subjectKind, t.subjectId), index('grants_worksite').on(t.worksiteId)],
);

/** `cw_live_<id>_<secret>`: looked up by id, the secret compared by its SHA-256 in constant time. */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    /** contact | user | service */
    ownerKind: text('owner_kind').notNull(),
    /** The contact or user the key acts as; null for a service key. */
    ownerId: text('owner_id'),
    /** A service key's internal role (its owner's role otherwise). */
    role: text('role'),
    /** JSON array: read | write. */
    scopes: text('scopes').notNull(),
    /** Optional narrowing: the key sees only this client / worksite of what its owner may. */
    clientId: text('client_id'),
    worksiteId: text('worksite_id'),
    expiresAt: text('expires_at'),
    lastUsedAt: text('last_used_at'),
    revokedAt: text('revoked_at'),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [index('api_keys_owner').on(t.ownerKind, t.ownerId)],
);

/**
 * Server-side sessions: a browser's cookie (magic-link or password sign-in) and the read-only
 * view-as tokens ops mint for one contact. Revocation is a column, so offboarding and sign-out take
 * effect on the next request.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    secretHash: text('secret_hash').notNull(),
    /** cookie | view_as */
    kind: text('kind').notNull(),
    /** contact | user */
    principalKind: text('principal_kind').notNull(),
    principalId: text('principal_id').notNull(),
    /** The ops user acting as the contact (view-as). */
    onBehalfOf: text('on_behalf_of'),
    readOnly: integer('read_only').notNull(),
    createdAt: text('created_at').notNull(),
    lastSeenAt: text('last_seen_at').notNull(),
    /** Absolute expiry; the idle limit is checked against lastSeenAt. */
    expiresAt: text('expires_at').notNull(),
    revokedAt: text('revoked_at'),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_principal').on(t.principalKind, t.principalId)],
);

/** Single-use sign-in links for contacts: the token's hash, never the token. */
export const magicLinks = sqliteTable(
  'magic_links',
  {
    tokenHash: text('token_hash').primaryKey(),
    contactId: text('contact_id').notNull(),
    email: text('email').notNull(),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    usedAt: text('used_at'),
    revokedAt: text('revoked_at'),
    ip: text('ip'),
  },
  (t) => [index('magic_links_contact').on(t.contactId)],
);

/** Append-only access audit (WorkOS/GitHub shaped). Never holds a secret value. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull(),
    at: text('at').notNull(),
    /** contact | user | service | bootstrap | anonymous */
    actorType: text('actor_type').notNull(),
    actorId: text('actor_id'),
    /** The ops user behind a view-as request. */
    onBehalfOf: text('on_behalf_of'),
    /** `time_entry.approve`, `session.sign_in`, `key.create`, `invoice.list` … */
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    /** success | failure | denied */
    outcome: text('outcome').notNull(),
    reason: text('reason'),
    /** How the caller authenticated: api_key:<id>, session:<id>, jwt, view_as:<id>, admin_token. */
    credential: text('credential'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
  },
  (t) => [
    index('audit_at').on(t.at),
    index('audit_actor').on(t.actorType, t.actorId),
    index('audit_target').on(t.targetType, t.targetId),
  ],
);

/** `Idempotency-Key` on POSTs: the first answer is kept and replayed for the same key and body. */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    /** `<principal>|<key>`: one caller's key never collides with another's. */
    scopeKey: text('scope_key').primaryKey(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    bodyHash: text('body_hash').notNull(),
    /** null while the first request still runs. */
    status: integer('status'),
    responseBody: text('response_body'),
    contentType: text('content_type'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('idempotency_created').on(t.createdAt).where(sql`${t.status} IS NOT NULL`)],
);
