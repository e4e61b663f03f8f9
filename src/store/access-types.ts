/** Row types of the access tables (see `schema/access.ts`), as the repositories hand them out. */

export const USER_ROLES = ['ops_admin', 'coordinator', 'recruiter', 'billing', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const GRANT_ROLES = ['client_admin', 'delegate_approver', 'recruiter', 'coordinator', 'billing'] as const;
export type GrantRole = (typeof GRANT_ROLES)[number];

export type SubjectKind = 'contact' | 'user';
export type KeyOwnerKind = 'contact' | 'user' | 'service';
export const KEY_SCOPES = ['read', 'write'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  role: UserRole;
  passwordHash: string | null;
  status: 'active' | 'disabled';
  createdAt: string;
  updatedAt: string;
}

export interface GrantRow {
  id: string;
  subjectKind: SubjectKind;
  subjectId: string;
  role: GrantRole;
  clientId: string | null;
  worksiteId: string | null;
  forContactId: string | null;
  validFrom: string | null;
  validTo: string | null;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  revokedBy: string | null;
}

export interface ApiKeyRow {
  id: string;
  name: string;
  secretHash: string;
  ownerKind: KeyOwnerKind;
  ownerId: string | null;
  role: UserRole | null;
  scopes: KeyScope[];
  clientId: string | null;
  worksiteId: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
  createdBy: string;
}

export type SessionKind = 'cookie' | 'view_as';

export interface SessionRow {
  id: string;
  secretHash: string;
  kind: SessionKind;
  principalKind: SubjectKind;
  principalId: string;
  onBehalfOf: string | null;
  readOnly: boolean;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  revokedAt: string | null;
  ip: string | null;
  userAgent: string | null;
}

export interface MagicLinkRow {
  tokenHash: string;
  contactId: string;
  email: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  revokedAt: string | null;
  ip: string | null;
}

export type AuditOutcome = 'success' | 'failure' | 'denied';
export type AuditActorType = 'contact' | 'user' | 'service' | 'bootstrap' | 'anonymous';

export interface AuditEvent {
  seq?: number;
  id: string;
  at: string;
  actorType: AuditActorType;
  actorId: string | null;
  onBehalfOf: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: AuditOutcome;
  reason: string | null;
  credential: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export interface IdempotencyRow {
  scopeKey: string;
  method: string;
  path: string;
  bodyHash: string;
  status: number | null;
  responseBody: string | null;
  contentType: string | null;
  createdAt: string;
}
