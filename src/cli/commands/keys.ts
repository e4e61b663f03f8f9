import type { Command } from 'commander';
import { createApiKey } from '../../access/credentials/api-keys.ts';
import { CredentialError } from '../../access/credentials/secret.ts';
import { nowIso } from '../../lib/time.ts';
import { KEY_SCOPES, USER_ROLES, type ApiKeyRow, type KeyOwnerKind, type KeyScope, type Repos, type UserRole } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, printTable } from '../output.ts';
import { auditCli, cliActor } from './audit.ts';

/** A key row as the CLI shows it: never the secret's hash. */
export function keyView(k: ApiKeyRow): Omit<ApiKeyRow, 'secretHash'> {
  const { secretHash: _hidden, ...view } = k;
  return view;
}

function parseScopes(value: string): KeyScope[] {
  const scopes: KeyScope[] = [];
  for (const raw of value.split(',')) {
    const s = raw.trim();
    const scope = KEY_SCOPES.find((k) => k === s);
    if (scope === undefined) throw new UsageError(`--scopes takes ${KEY_SCOPES.join(',')}; "${s}" is not one`);
    if (!scopes.includes(scope)) scopes.push(scope);
  }
  return scopes;
}

function parseRole(value: string): UserRole {
  const role = USER_ROLES.find((r) => r === value);
  if (role === undefined) throw new UsageError(`--role must be one of ${USER_ROLES.join(', ')}`);
  return role;
}

/** The expiry as an ISO time; a bare date means the start of that day (UTC). */
function parseExpiry(value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--expires expects an ISO date or time, got "${value}"`);
  return new Date(t).toISOString();
}

interface CreateOpts {
  contact?: string;
  user?: string;
  service?: string;
  role?: string;
  name?: string;
  scopes: string;
  client?: string;
  worksite?: string;
  expires?: string;
  json?: boolean;
}

interface Owner {
  kind: KeyOwnerKind;
  id: string | null;
  role: UserRole | null;
  /** The contact's client: a contact key may only be narrowed inside it. */
  clientId: string | null;
  defaultName: string;
}

/** Checks the owner exists and is active, in the unit of work that creates the key. */
async function resolveOwner(tx: Repos, opts: CreateOpts): Promise<Owner> {
  const given = [opts.contact, opts.user, opts.service].filter((v) => v !== undefined).length;
  if (given !== 1) throw new UsageError('give exactly one of --contact <id>, --user <id> or --service <name> --role <role>');
  if (opts.service === undefined && opts.role !== undefined) throw new UsageError('--role is for a --service key; a contact or user key acts with its owner\'s role');
  if (opts.contact !== undefined) {
    const contact = await tx.canonical.get('contact', opts.contact);
    if (!contact || contact.deletedAt !== null) throw new UsageError(`contact ${opts.contact} not found`);
    if (contact.fields['status'] !== 'active') throw new UsageError(`contact ${opts.contact} is ${String(contact.fields['status'])}, not active: no key for it`);
    const clientId = contact.fields['clientId'];
    return { kind: 'contact', id: contact.id, role: null, clientId: typeof clientId === 'string' ? clientId : null, defaultName: `contact ${contact.id}` };
  }
  if (opts.user !== undefined) {
    const user = (await tx.access.userById(opts.user)) ?? (await tx.access.userByEmail(opts.user));
    if (!user) throw new UsageError(`user ${opts.user} not found`);
    if (user.status !== 'active') throw new UsageError(`user ${user.email} is disabled: no key for it`);
    return { kind: 'user', id: user.id, role: null, clientId: null, defaultName: `user ${user.email}` };
  }
  if (opts.role === undefined) throw new UsageError(`a service key needs --role: ${USER_ROLES.join(', ')}`);
  return { kind: 'service', id: null, role: parseRole(opts.role), clientId: null, defaultName: opts.service ?? 'service' };
}

/** The narrowing must name records that exist, and for a contact's key stay inside the contact's client. */
async function checkNarrowing(tx: Repos, owner: Owner, clientId: string | null, worksiteId: string | null): Promise<void> {
  if (clientId !== null) {
    const client = await tx.canonical.get('client', clientId);
    if (!client || client.deletedAt !== null) throw new UsageError(`client ${clientId} not found`);
    if (owner.clientId !== null && owner.clientId !== clientId) throw new UsageError(`contact ${String(owner.id)} belongs to client ${owner.clientId}, not ${clientId}`);
  }
  if (worksiteId !== null) {
    const worksite = await tx.canonical.get('worksite', worksiteId);
    if (!worksite || worksite.deletedAt !== null) throw new UsageError(`worksite ${worksiteId} not found`);
    const of = worksite.fields['clientId'];
    if (owner.clientId !== null && of !== owner.clientId) throw new UsageError(`worksite ${worksiteId} belongs to another client than contact ${String(owner.id)}`);
    if (clientId !== null && of !== clientId) throw new UsageError(`worksite ${worksiteId} is not a worksite of client ${clientId}`);
  }
}

/** `crosswalk keys create|list|revoke`: API keys, the secret shown once at creation and never stored. */
export function registerKeys(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description('API keys: create (the key is shown once), list, revoke');

  keys
    .command('create')
    .description('create an API key acting as a contact, an ops user, or a service with its own role')
    .option('--contact <id>', 'the key acts as this (active) contact')
    .option('--user <id>', 'the key acts as this (active) ops user (id or e-mail)')
    .option('--service <name>', 'a service key (needs --role)')
    .option('--role <role>', `a service key's role: ${USER_ROLES.join(', ')}`)
    .option('--name <name>', 'a label for the key (default: its owner)')
    .option('--scopes <list>', 'read,write or read', 'read,write')
    .option('--client <id>', 'narrow the key to this client')
    .option('--worksite <id>', 'narrow the key to this worksite')
    .option('--expires <iso>', 'expiry (ISO date or time); default never')
    .option('--json', 'machine-readable output: {"id", "key"}')
    .action(async (opts: CreateOpts) => {
      const scopes = parseScopes(opts.scopes);
      const expiresAt = opts.expires === undefined ? null : parseExpiry(opts.expires);
      const clientId = opts.client ?? null;
      const worksiteId = opts.worksite ?? null;
      const at = nowIso();
      const created = await ctx.store().unitOfWork(async (tx) => {
        const owner = await resolveOwner(tx, opts);
        await checkNarrowing(tx, owner, clientId, worksiteId);
        let out: Awaited<ReturnType<typeof createApiKey>>;
        try {
          out = await createApiKey(tx, {
            name: opts.name ?? owner.defaultName, ownerKind: owner.kind, ownerId: owner.id, role: owner.role, scopes, clientId, worksiteId, expiresAt,
            createdBy: cliActor(),
          }, at);
        } catch (err) {
          if (err instanceof CredentialError) throw new UsageError(err.message);
          throw err;
        }
        await auditCli(tx, { action: 'key.create', targetType: 'api_key', targetId: out.row.id, reason: `${owner.kind}${owner.id === null ? '' : `:${owner.id}`}` }, at);
        return out;
      });
      emit(opts, { id: created.row.id, key: created.key }, () => {
        process.stdout.write(`API key ${created.row.id} (${created.row.name}, ${created.row.scopes.join(',')}) created. The key, shown only this once:\n${created.key}\n`);
      });
    });

  keys
    .command('list')
    .description('list API keys (never their secrets)')
    .option('--contact <id>', 'keys acting as this contact')
    .option('--user <id>', 'keys acting as this user')
    .option('--service', 'service keys only')
    .option('--all', 'include revoked keys')
    .option('--json', 'machine-readable output')
    .action(async (opts: { contact?: string; user?: string; service?: boolean; all?: boolean; json?: boolean }) => {
      if ([opts.contact, opts.user, opts.service].filter((v) => v !== undefined).length > 1) throw new UsageError('give at most one of --contact, --user, --service');
      const filter = opts.contact !== undefined ? { ownerKind: 'contact', ownerId: opts.contact }
        : opts.user !== undefined ? { ownerKind: 'user', ownerId: opts.user }
        : opts.service === true ? { ownerKind: 'service' } : {};
      const rows = (await ctx.store().repos.access.listKeys({ ...filter, includeRevoked: opts.all === true })).map(keyView);
      emit(opts, rows, () =>
        printTable(rows.map((k) => ({
          id: k.id, name: k.name, owner: k.ownerId === null ? `service (${String(k.role)})` : `${k.ownerKind}:${k.ownerId}`, scopes: k.scopes.join(','),
          narrowed: [k.clientId && `client ${k.clientId}`, k.worksiteId && `worksite ${k.worksiteId}`].filter(Boolean).join(', '),
          expires: k.expiresAt?.slice(0, 19) ?? '', lastUsed: k.lastUsedAt?.slice(0, 19) ?? '', revoked: k.revokedAt?.slice(0, 19) ?? '',
        }))),
      );
    });

  keys
    .command('revoke <id>')
    .description('revoke an API key: refused from the very next request')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const at = nowIso();
      const result = await ctx.store().unitOfWork(async (tx) => {
        const key = await tx.access.keyById(id);
        if (!key) throw new UsageError(`no API key ${id}`);
        const revoked = await tx.access.revokeKey(id, at);
        if (revoked) await auditCli(tx, { action: 'key.revoke', targetType: 'api_key', targetId: id }, at);
        return { id, revoked, revokedAt: revoked ? at : key.revokedAt };
      });
      emit(opts, result, () => process.stdout.write(result.revoked ? `API key ${id} revoked\n` : `API key ${id} was already revoked at ${String(result.revokedAt)}\n`));
    });
}
