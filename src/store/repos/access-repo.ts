import type {
  ApiKeyRow,
  GrantRole,
  GrantRow,
  KeyScope,
  MagicLinkRow,
  SessionRow,
  SubjectKind,
  UserRole,
  UserRow,
} from '../access-types.ts';
import { parseJson, type Statements } from '../sqlite/statements.ts';

// Raw rows come back from better-sqlite3 as plain objects of column → value; each reader below maps
// snake_case columns to the typed row. Enum columns are only ever written from typed values.

type Raw = Record<string, string | number | null>;
const str = (v: string | number | null | undefined): string => String(v);
const strOrNull = (v: string | number | null | undefined): string | null => (v === null || v === undefined ? null : String(v));

function toUser(r: Raw): UserRow {
  return {
    id: str(r['id']), email: str(r['email']), name: strOrNull(r['name']),
    role: str(r['role']) as UserRole, // written only from USER_ROLES
    passwordHash: strOrNull(r['password_hash']),
    status: r['status'] === 'disabled' ? 'disabled' : 'active',
    createdAt: str(r['created_at']), updatedAt: str(r['updated_at']),
  };
}

function toGrant(r: Raw): GrantRow {
  return {
    id: str(r['id']),
    subjectKind: r['subject_kind'] === 'user' ? 'user' : 'contact',
    subjectId: str(r['subject_id']),
    role: str(r['role']) as GrantRole, // written only from GRANT_ROLES
    clientId: strOrNull(r['client_id']), worksiteId: strOrNull(r['worksite_id']), forContactId: strOrNull(r['for_contact_id']),
    validFrom: strOrNull(r['valid_from']), validTo: strOrNull(r['valid_to']),
    createdAt: str(r['created_at']), createdBy: str(r['created_by']),
    revokedAt: strOrNull(r['revoked_at']), revokedBy: strOrNull(r['revoked_by']),
  };
}

function toKey(r: Raw): ApiKeyRow {
  return {
    id: str(r['id']), name: str(r['name']), secretHash: str(r['secret_hash']),
    ownerKind: str(r['owner_kind']) as ApiKeyRow['ownerKind'], // written only from KeyOwnerKind
    ownerId: strOrNull(r['owner_id']),
    role: strOrNull(r['role']) as UserRole | null, // written only from USER_ROLES
    scopes: parseJson<KeyScope[]>(strOrNull(r['scopes'])) ?? [],
    clientId: strOrNull(r['client_id']), worksiteId: strOrNull(r['worksite_id']),
    expiresAt: strOrNull(r['expires_at']), lastUsedAt: strOrNull(r['last_used_at']), revokedAt: strOrNull(r['revoked_at']),
    createdAt: str(r['created_at']), createdBy: str(r['created_by']),
  };
}

function toSession(r: Raw): SessionRow {
  return {
    id: str(r['id']), secretHash: str(r['secret_hash']),
    kind: r['kind'] === 'view_as' ? 'view_as' : 'cookie',
    principalKind: r['principal_kind'] === 'user' ? 'user' : 'contact',
    principalId: str(r['principal_id']), onBehalfOf: strOrNull(r['on_behalf_of']),
    readOnly: r['read_only'] === 1,
    createdAt: str(r['created_at']), lastSeenAt: str(r['last_seen_at']), expiresAt: str(r['expires_at']),
    revokedAt: strOrNull(r['revoked_at']), ip: strOrNull(r['ip']), userAgent: strOrNull(r['user_agent']),
  };
}

function toLink(r: Raw): MagicLinkRow {
  return {
    tokenHash: str(r['token_hash']), contactId: str(r['contact_id']), email: str(r['email']),
    createdAt: str(r['created_at']), expiresAt: str(r['expires_at']),
    usedAt: strOrNull(r['used_at']), revokedAt: strOrNull(r['revoked_at']), ip: strOrNull(r['ip']),
  };
}

/** Last-used and last-seen times are written at most this often per key or session. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Principals and credentials: ops users, grants, API keys, sessions and magic links. Secrets are
 * never stored: callers hand in hashes. Reads run anywhere; writes need a unit of work.
 */
export class AccessRepo {
  constructor(private readonly s: Statements) {}

  // ---- users

  async insertUser(u: UserRow): Promise<void> {
    this.s.assertInTransaction('user');
    this.s
      .get(`INSERT INTO users (id, email, name, role, password_hash, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(u.id, u.email.toLowerCase(), u.name, u.role, u.passwordHash, u.status, u.createdAt, u.updatedAt);
  }

  async userById(id: string): Promise<UserRow | null> {
    const r = this.s.get('SELECT * FROM users WHERE id = ?').get(id) as Raw | undefined;
    return r ? toUser(r) : null;
  }

  async userByEmail(email: string): Promise<UserRow | null> {
    const r = this.s.get('SELECT * FROM users WHERE email = ?').get(email.toLowerCase()) as Raw | undefined;
    return r ? toUser(r) : null;
  }

  async listUsers(): Promise<UserRow[]> {
    return (this.s.get('SELECT * FROM users ORDER BY email').all() as Raw[]).map(toUser);
  }

  async countActiveUsers(role?: UserRole): Promise<number> {
    return role === undefined
      ? (this.s.get("SELECT count(*) FROM users WHERE status = 'active'").pluck().get() as number)
      : (this.s.get("SELECT count(*) FROM users WHERE status = 'active' AND role = ?").pluck().get(role) as number);
  }

  async updateUser(id: string, patch: { status?: UserRow['status']; role?: UserRole; passwordHash?: string | null; name?: string | null }, now: string): Promise<void> {
    this.s.assertInTransaction('user');
    const current = await this.userById(id);
    if (!current) return;
    this.s
      .get('UPDATE users SET status = ?, role = ?, password_hash = ?, name = ?, updated_at = ? WHERE id = ?')
      .run(patch.status ?? current.status, patch.role ?? current.role, patch.passwordHash === undefined ? current.passwordHash : patch.passwordHash, patch.name === undefined ? current.name : patch.name, now, id);
  }

  /**
   * A contact's live roles at live worksites, with each worksite's client: what the policy loads on
   * every request of a contact, in one statement.
   */
  async contactRoles(contactId: string): Promise<Array<{ worksiteId: string; role: string; clientId: string }>> {
    return this.s
      .get(
        `SELECT r.worksite_id AS worksiteId, r.role AS role, w.client_id AS clientId
         FROM contact_worksite_roles r JOIN worksites w ON w.id = r.worksite_id
         WHERE r.contact_id = ? AND r.deleted_at IS NULL AND w.deleted_at IS NULL`,
      )
      .all(contactId) as Array<{ worksiteId: string; role: string; clientId: string }>;
  }

  // ---- grants

  async insertGrant(g: GrantRow): Promise<void> {
    this.s.assertInTransaction('grant');
    this.s
      .get(
        `INSERT INTO grants (id, subject_kind, subject_id, role, client_id, worksite_id, for_contact_id, valid_from, valid_to, created_at, created_by, revoked_at, revoked_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(g.id, g.subjectKind, g.subjectId, g.role, g.clientId, g.worksiteId, g.forContactId, g.validFrom, g.validTo, g.createdAt, g.createdBy, g.revokedAt, g.revokedBy);
  }

  async grantById(id: string): Promise<GrantRow | null> {
    const r = this.s.get('SELECT * FROM grants WHERE id = ?').get(id) as Raw | undefined;
    return r ? toGrant(r) : null;
  }

  /** Grants not revoked and valid on `today` (ISO date; dates are inclusive). */
  async activeGrants(subjectKind: SubjectKind, subjectId: string, today: string): Promise<GrantRow[]> {
    return (
      this.s
        .get(
          `SELECT * FROM grants WHERE subject_kind = ? AND subject_id = ? AND revoked_at IS NULL
           AND (valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR valid_to >= ?) ORDER BY id`,
        )
        .all(subjectKind, subjectId, today, today) as Raw[]
    ).map(toGrant);
  }

  async listGrants(filter: { subjectKind?: SubjectKind; subjectId?: string; clientId?: string; includeRevoked?: boolean } = {}): Promise<GrantRow[]> {
    const clauses: string[] = [];
    const params: string[] = [];
    if (filter.subjectKind !== undefined) { clauses.push('subject_kind = ?'); params.push(filter.subjectKind); }
    if (filter.subjectId !== undefined) { clauses.push('subject_id = ?'); params.push(filter.subjectId); }
    if (filter.clientId !== undefined) {
      clauses.push('(client_id = ? OR worksite_id IN (SELECT id FROM worksites WHERE client_id = ?))');
      params.push(filter.clientId, filter.clientId);
    }
    if (!filter.includeRevoked) clauses.push('revoked_at IS NULL');
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    return (this.s.get(`SELECT * FROM grants ${where} ORDER BY id`).all(...params) as Raw[]).map(toGrant);
  }

  async revokeGrant(id: string, by: string, now: string): Promise<boolean> {
    this.s.assertInTransaction('grant');
    return this.s.get('UPDATE grants SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL').run(now, by, id).changes > 0;
  }

  // ---- API keys

  async insertKey(k: ApiKeyRow): Promise<void> {
    this.s.assertInTransaction('api key');
    this.s
      .get(
        `INSERT INTO api_keys (id, name, secret_hash, owner_kind, owner_id, role, scopes, client_id, worksite_id, expires_at, last_used_at, revoked_at, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(k.id, k.name, k.secretHash, k.ownerKind, k.ownerId, k.role, JSON.stringify(k.scopes), k.clientId, k.worksiteId, k.expiresAt, k.lastUsedAt, k.revokedAt, k.createdAt, k.createdBy);
  }

  async keyById(id: string): Promise<ApiKeyRow | null> {
    const r = this.s.get('SELECT * FROM api_keys WHERE id = ?').get(id) as Raw | undefined;
    return r ? toKey(r) : null;
  }

  async listKeys(filter: { ownerKind?: string; ownerId?: string; includeRevoked?: boolean } = {}): Promise<ApiKeyRow[]> {
    const clauses: string[] = [];
    const params: string[] = [];
    if (filter.ownerKind !== undefined) { clauses.push('owner_kind = ?'); params.push(filter.ownerKind); }
    if (filter.ownerId !== undefined) { clauses.push('owner_id = ?'); params.push(filter.ownerId); }
    if (!filter.includeRevoked) clauses.push('revoked_at IS NULL');
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    return (this.s.get(`SELECT * FROM api_keys ${where} ORDER BY created_at, id`).all(...params) as Raw[]).map(toKey);
  }

  /**
   * Last-used time, at most once a minute per key: an authenticated read must not become a write on
   * every request. Runs outside a unit of work on purpose (a single autocommit statement).
   */
  touchKey(key: Pick<ApiKeyRow, 'id' | 'lastUsedAt'>, now: string): void {
    const cutoff = new Date(Date.parse(now) - TOUCH_EVERY_MS).toISOString();
    // The row in hand says whether a write is due: a fresh key costs no statement (an UPDATE that
    // matches nothing still takes the write lock). The guard in SQL keeps racing requests to one write.
    if (key.lastUsedAt !== null && key.lastUsedAt >= cutoff) return;
    this.s.get('UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)').run(now, key.id, cutoff);
  }

  async revokeKey(id: string, now: string): Promise<boolean> {
    this.s.assertInTransaction('api key');
    return this.s.get('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes > 0;
  }

  // ---- sessions

  async insertSession(row: SessionRow): Promise<void> {
    this.s.assertInTransaction('session');
    this.s
      .get(
        `INSERT INTO sessions (id, secret_hash, kind, principal_kind, principal_id, on_behalf_of, read_only, created_at, last_seen_at, expires_at, revoked_at, ip, user_agent)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(row.id, row.secretHash, row.kind, row.principalKind, row.principalId, row.onBehalfOf, row.readOnly ? 1 : 0, row.createdAt, row.lastSeenAt, row.expiresAt, row.revokedAt, row.ip, row.userAgent);
  }

  async sessionById(id: string): Promise<SessionRow | null> {
    const r = this.s.get('SELECT * FROM sessions WHERE id = ?').get(id) as Raw | undefined;
    return r ? toSession(r) : null;
  }

  /** Sliding idle expiry, written at most once a minute per session (see touchKey). */
  touchSession(session: Pick<SessionRow, 'id' | 'lastSeenAt'>, now: string): void {
    const cutoff = new Date(Date.parse(now) - TOUCH_EVERY_MS).toISOString();
    if (session.lastSeenAt >= cutoff) return;
    this.s.get('UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?').run(now, session.id, cutoff);
  }

  /** Sessions newest first (the console's access page); `before` is the created_at|id of the last row seen. */
  async listSessions(filter: { activeAt?: string; before?: string; limit: number }): Promise<SessionRow[]> {
    const clauses: string[] = [];
    const params: Array<string | number> = [];
    if (filter.activeAt !== undefined) { clauses.push('revoked_at IS NULL AND expires_at > ?'); params.push(filter.activeAt); }
    if (filter.before !== undefined) {
      const [at, id] = filter.before.split('|');
      clauses.push('(created_at, id) < (?, ?)');
      params.push(at ?? '', id ?? '');
    }
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    return (this.s.get(`SELECT * FROM sessions ${where} ORDER BY created_at DESC, id DESC LIMIT ?`).all(...params, filter.limit) as Raw[]).map(toSession);
  }

  async revokeSession(id: string, now: string): Promise<boolean> {
    this.s.assertInTransaction('session');
    return this.s.get('UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes > 0;
  }

  // ---- magic links

  async insertMagicLink(row: MagicLinkRow): Promise<void> {
    this.s.assertInTransaction('magic link');
    this.s
      .get('INSERT INTO magic_links (token_hash, contact_id, email, created_at, expires_at, used_at, revoked_at, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(row.tokenHash, row.contactId, row.email, row.createdAt, row.expiresAt, row.usedAt, row.revokedAt, row.ip);
  }

  async magicLink(tokenHash: string): Promise<MagicLinkRow | null> {
    const r = this.s.get('SELECT * FROM magic_links WHERE token_hash = ?').get(tokenHash) as Raw | undefined;
    return r ? toLink(r) : null;
  }

  /** Marks the link used; false when it was already used or revoked (a second click loses the race). */
  async consumeMagicLink(tokenHash: string, now: string): Promise<boolean> {
    this.s.assertInTransaction('magic link');
    return this.s.get('UPDATE magic_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL').run(now, tokenHash).changes > 0;
  }

  // ---- offboarding

  /**
   * Revokes every session, key and pending magic link of a contact or user: what offboarding does.
   * Returns how many of each were revoked.
   */
  async revokeAllFor(kind: SubjectKind, id: string, now: string): Promise<{ sessions: number; keys: number; magicLinks: number }> {
    this.s.assertInTransaction('offboarding');
    const sessions = this.s.get('UPDATE sessions SET revoked_at = ? WHERE principal_kind = ? AND principal_id = ? AND revoked_at IS NULL').run(now, kind, id).changes;
    // A view-as token minted BY a disabled user goes too.
    const minted = kind === 'user' ? this.s.get('UPDATE sessions SET revoked_at = ? WHERE on_behalf_of = ? AND revoked_at IS NULL').run(now, id).changes : 0;
    const keys = this.s.get('UPDATE api_keys SET revoked_at = ? WHERE owner_kind = ? AND owner_id = ? AND revoked_at IS NULL').run(now, kind, id).changes
      // Keys a disabled user minted for others (a contact's key made by ops) go with it.
      + (kind === 'user' ? this.s.get('UPDATE api_keys SET revoked_at = ? WHERE created_by = ? AND revoked_at IS NULL').run(now, `user:${id}`).changes : 0);
    const magicLinks = kind === 'contact'
      ? this.s.get('UPDATE magic_links SET revoked_at = ? WHERE contact_id = ? AND used_at IS NULL AND revoked_at IS NULL').run(now, id).changes
      : 0;
    return { sessions: sessions + minted, keys, magicLinks };
  }
}
