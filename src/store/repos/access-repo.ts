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
import type { SqlRunner } from '../sql/runner.ts';
import { parseJson } from '../sqlite/statements.ts';

// Raw rows come back from either runner as plain objects of column → value (bigint columns as numbers); each reader below maps
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
 * never stored: callers hand in hashes, compared with `=` (exact and case-sensitive in both
 * dialects). Reads run anywhere; writes need a unit of work, except the last-use touches.
 */
export class AccessRepo {
  constructor(private readonly sql: SqlRunner) {}

  // ---- users

  async insertUser(u: UserRow): Promise<void> {
    this.sql.assertInTransaction('user');
    await this.sql.run(
      'INSERT INTO users (id, email, name, role, password_hash, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [u.id, u.email.toLowerCase(), u.name, u.role, u.passwordHash, u.status, u.createdAt, u.updatedAt],
    );
  }

  async userById(id: string): Promise<UserRow | null> {
    const r = await this.sql.get<Raw>('SELECT * FROM users WHERE id = ?', [id]);
    return r ? toUser(r) : null;
  }

  async userByEmail(email: string): Promise<UserRow | null> {
    const r = await this.sql.get<Raw>('SELECT * FROM users WHERE email = ?', [email.toLowerCase()]);
    return r ? toUser(r) : null;
  }

  async listUsers(): Promise<UserRow[]> {
    // Emails are unique: the order is total.
    return (await this.sql.all<Raw>('SELECT * FROM users ORDER BY email')).map(toUser);
  }

  async countActiveUsers(role?: UserRole): Promise<number> {
    const n = role === undefined
      ? await this.sql.value<number>("SELECT count(*) FROM users WHERE status = 'active'")
      : await this.sql.value<number>("SELECT count(*) FROM users WHERE status = 'active' AND role = ?", [role]);
    return n ?? 0;
  }

  async updateUser(id: string, patch: { status?: UserRow['status']; role?: UserRole; passwordHash?: string | null; name?: string | null }, now: string): Promise<void> {
    this.sql.assertInTransaction('user');
    const current = await this.userById(id);
    if (!current) return;
    await this.sql.run('UPDATE users SET status = ?, role = ?, password_hash = ?, name = ?, updated_at = ? WHERE id = ?', [
      patch.status ?? current.status, patch.role ?? current.role, patch.passwordHash === undefined ? current.passwordHash : patch.passwordHash,
      patch.name === undefined ? current.name : patch.name, now, id,
    ]);
  }

  /**
   * A contact's live roles at live worksites, with each worksite's client: what the policy loads on
   * every request of a contact, in one statement. Unordered on purpose: callers build sets from it, and
   * sorting here doubled the median latency of an authenticated read in `npm run bench -- access`.
   */
  async contactRoles(contactId: string): Promise<Array<{ worksiteId: string; role: string; clientId: string }>> {
    return this.sql.all<{ worksiteId: string; role: string; clientId: string }>(
      `SELECT r.worksite_id AS "worksiteId", r.role AS role, w.client_id AS "clientId"
       FROM contact_worksite_roles r JOIN worksites w ON w.id = r.worksite_id
       WHERE r.contact_id = ? AND r.deleted_at IS NULL AND w.deleted_at IS NULL`,
      [contactId],
    );
  }

  // ---- grants

  async insertGrant(g: GrantRow): Promise<void> {
    this.sql.assertInTransaction('grant');
    await this.sql.run(
      `INSERT INTO grants (id, subject_kind, subject_id, role, client_id, worksite_id, for_contact_id, valid_from, valid_to, created_at, created_by, revoked_at, revoked_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [g.id, g.subjectKind, g.subjectId, g.role, g.clientId, g.worksiteId, g.forContactId, g.validFrom, g.validTo, g.createdAt, g.createdBy, g.revokedAt, g.revokedBy],
    );
  }

  async grantById(id: string): Promise<GrantRow | null> {
    const r = await this.sql.get<Raw>('SELECT * FROM grants WHERE id = ?', [id]);
    return r ? toGrant(r) : null;
  }

  /** Grants not revoked and valid on `today` (ISO date; dates are inclusive). */
  async activeGrants(subjectKind: SubjectKind, subjectId: string, today: string): Promise<GrantRow[]> {
    const rows = await this.sql.all<Raw>(
      `SELECT * FROM grants WHERE subject_kind = ? AND subject_id = ? AND revoked_at IS NULL
       AND (valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR valid_to >= ?) ORDER BY id`,
      [subjectKind, subjectId, today, today],
    );
    return rows.map(toGrant);
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
    return (await this.sql.all<Raw>(`SELECT * FROM grants ${where} ORDER BY id`, params)).map(toGrant);
  }

  /** Revokes once: false when the grant is unknown or already revoked (the first revoker's time stays). */
  async revokeGrant(id: string, by: string, now: string): Promise<boolean> {
    this.sql.assertInTransaction('grant');
    return (await this.sql.run('UPDATE grants SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL', [now, by, id])).changes > 0;
  }

  // ---- API keys

  async insertKey(k: ApiKeyRow): Promise<void> {
    this.sql.assertInTransaction('api key');
    await this.sql.run(
      `INSERT INTO api_keys (id, name, secret_hash, owner_kind, owner_id, role, scopes, client_id, worksite_id, expires_at, last_used_at, revoked_at, created_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [k.id, k.name, k.secretHash, k.ownerKind, k.ownerId, k.role, JSON.stringify(k.scopes), k.clientId, k.worksiteId, k.expiresAt, k.lastUsedAt, k.revokedAt, k.createdAt, k.createdBy],
    );
  }

  async keyById(id: string): Promise<ApiKeyRow | null> {
    const r = await this.sql.get<Raw>('SELECT * FROM api_keys WHERE id = ?', [id]);
    return r ? toKey(r) : null;
  }

  async listKeys(filter: { ownerKind?: string; ownerId?: string; includeRevoked?: boolean } = {}): Promise<ApiKeyRow[]> {
    const clauses: string[] = [];
    const params: string[] = [];
    if (filter.ownerKind !== undefined) { clauses.push('owner_kind = ?'); params.push(filter.ownerKind); }
    if (filter.ownerId !== undefined) { clauses.push('owner_id = ?'); params.push(filter.ownerId); }
    if (!filter.includeRevoked) clauses.push('revoked_at IS NULL');
    const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
    return (await this.sql.all<Raw>(`SELECT * FROM api_keys ${where} ORDER BY created_at, id`, params)).map(toKey);
  }

  /**
   * Last-used time, at most once a minute per key: an authenticated read must not become a write on
   * every request. Runs outside a unit of work on purpose (a single autocommit statement).
   */
  async touchKey(key: Pick<ApiKeyRow, 'id' | 'lastUsedAt'>, now: string): Promise<void> {
    const cutoff = new Date(Date.parse(now) - TOUCH_EVERY_MS).toISOString();
    // The row in hand says whether a write is due: a fresh key costs no statement (an UPDATE that
    // matches nothing still takes the write lock). The guard in SQL keeps racing requests to one write.
    if (key.lastUsedAt !== null && key.lastUsedAt >= cutoff) return;
    await this.sql.run('UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)', [now, key.id, cutoff]);
  }

  /** Revokes once: false when the key is unknown or already revoked. */
  async revokeKey(id: string, now: string): Promise<boolean> {
    this.sql.assertInTransaction('api key');
    return (await this.sql.run('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now, id])).changes > 0;
  }

  // ---- sessions

  async insertSession(row: SessionRow): Promise<void> {
    this.sql.assertInTransaction('session');
    await this.sql.run(
      `INSERT INTO sessions (id, secret_hash, kind, principal_kind, principal_id, on_behalf_of, read_only, created_at, last_seen_at, expires_at, revoked_at, ip, user_agent)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [row.id, row.secretHash, row.kind, row.principalKind, row.principalId, row.onBehalfOf, row.readOnly ? 1 : 0, row.createdAt, row.lastSeenAt, row.expiresAt, row.revokedAt, row.ip, row.userAgent],
    );
  }

  async sessionById(id: string): Promise<SessionRow | null> {
    const r = await this.sql.get<Raw>('SELECT * FROM sessions WHERE id = ?', [id]);
    return r ? toSession(r) : null;
  }

  /** Sliding idle expiry, written at most once a minute per session (see touchKey). */
  async touchSession(session: Pick<SessionRow, 'id' | 'lastSeenAt'>, now: string): Promise<void> {
    const cutoff = new Date(Date.parse(now) - TOUCH_EVERY_MS).toISOString();
    if (session.lastSeenAt >= cutoff) return;
    await this.sql.run('UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?', [now, session.id, cutoff]);
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
    return (await this.sql.all<Raw>(`SELECT * FROM sessions ${where} ORDER BY created_at DESC, id DESC LIMIT ?`, [...params, filter.limit])).map(toSession);
  }

  /** Revokes once: false when the session is unknown or already revoked. */
  async revokeSession(id: string, now: string): Promise<boolean> {
    this.sql.assertInTransaction('session');
    return (await this.sql.run('UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now, id])).changes > 0;
  }

  // ---- magic links

  async insertMagicLink(row: MagicLinkRow): Promise<void> {
    this.sql.assertInTransaction('magic link');
    await this.sql.run(
      'INSERT INTO magic_links (token_hash, contact_id, email, created_at, expires_at, used_at, revoked_at, ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [row.tokenHash, row.contactId, row.email, row.createdAt, row.expiresAt, row.usedAt, row.revokedAt, row.ip],
    );
  }

  async magicLink(tokenHash: string): Promise<MagicLinkRow | null> {
    const r = await this.sql.get<Raw>('SELECT * FROM magic_links WHERE token_hash = ?', [tokenHash]);
    return r ? toLink(r) : null;
  }

  /**
   * Marks the link used; false when it was already used or revoked (a second click loses the race).
   * The guard is in the UPDATE itself, so of two transactions racing on one link exactly one changes
   * the row: SQLite serialises writers, and PostgreSQL makes the second wait on the row lock and then
   * re-check `used_at` (or fail to serialise, and be retried by the store to find the link spent).
   */
  async consumeMagicLink(tokenHash: string, now: string): Promise<boolean> {
    this.sql.assertInTransaction('magic link');
    return (await this.sql.run('UPDATE magic_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL', [now, tokenHash])).changes > 0;
  }

  // ---- offboarding

  /**
   * Revokes every session, key and pending magic link of a contact or user: what offboarding does.
   * Returns how many of each were revoked.
   */
  async revokeAllFor(kind: SubjectKind, id: string, now: string): Promise<{ sessions: number; keys: number; magicLinks: number }> {
    this.sql.assertInTransaction('offboarding');
    const sessions = (await this.sql.run('UPDATE sessions SET revoked_at = ? WHERE principal_kind = ? AND principal_id = ? AND revoked_at IS NULL', [now, kind, id])).changes;
    // A view-as token minted BY a disabled user goes too.
    const minted = kind === 'user' ? (await this.sql.run('UPDATE sessions SET revoked_at = ? WHERE on_behalf_of = ? AND revoked_at IS NULL', [now, id])).changes : 0;
    const owned = (await this.sql.run('UPDATE api_keys SET revoked_at = ? WHERE owner_kind = ? AND owner_id = ? AND revoked_at IS NULL', [now, kind, id])).changes;
    // Keys a disabled user minted for others (a contact's key made by ops) go with it.
    const made = kind === 'user' ? (await this.sql.run('UPDATE api_keys SET revoked_at = ? WHERE created_by = ? AND revoked_at IS NULL', [now, `user:${id}`])).changes : 0;
    const magicLinks = kind === 'contact'
      ? (await this.sql.run('UPDATE magic_links SET revoked_at = ? WHERE contact_id = ? AND used_at IS NULL AND revoked_at IS NULL', [now, id])).changes
      : 0;
    return { sessions: sessions + minted, keys: owned + made, magicLinks };
  }
}
