import type { Command } from 'commander';
import { AccessChangeError, createUser, disableUser } from '../../access/admin.ts';
import { MAX_PASSWORD_LENGTH } from '../../access/credentials/passwords.ts';
import { CredentialError } from '../../access/credentials/secret.ts';
import { nowIso } from '../../lib/time.ts';
import { USER_ROLES, type Repos, type UserRole, type UserRow } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, printTable } from '../output.ts';
import { auditCli } from './audit.ts';

/** A user as the CLI shows it: whether a password is set, never its hash. */
export function userView(u: UserRow): Omit<UserRow, 'passwordHash'> & { hasPassword: boolean } {
  const { passwordHash, ...rest } = u;
  return { ...rest, hasPassword: passwordHash !== null };
}

/**
 * The password piped on stdin (`printf '%s' "$PW" | crosswalk users create … --password-stdin`):
 * never an argument, which `ps` and shell history would keep. One trailing newline is dropped (what
 * `echo` adds); everything else, spaces included, is the password.
 */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password (the input is shown; end with Enter then Ctrl-D): ');
  const limit = MAX_PASSWORD_LENGTH * 4 + 2;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), 'utf8');
    size += buf.length;
    if (size > limit) throw new UsageError(`the password on stdin is longer than ${MAX_PASSWORD_LENGTH} characters`);
    chunks.push(buf);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new UsageError('the password on stdin is not valid UTF-8');
  }
  return text.replace(/\r?\n$/, '');
}

function parseRole(value: string): UserRole {
  const role = USER_ROLES.find((r) => r === value);
  if (role === undefined) throw new UsageError(`--role must be one of ${USER_ROLES.join(', ')}`);
  return role;
}

/** A user by id or by e-mail address. */
async function findUser(repos: Repos, idOrEmail: string): Promise<UserRow | null> {
  return (await repos.access.userById(idOrEmail)) ?? (idOrEmail.includes('@') ? repos.access.userByEmail(idOrEmail) : null);
}

/** `crosswalk users create|list|disable`: ops users of the console, Bull Board and the ops API. */
export function registerUsers(program: Command, ctx: CliContext): void {
  const users = program.command('users').description('ops users (console, Bull Board, ops API): create, list, disable');

  users
    .command('create')
    .description('create an ops user; with --password-stdin the password (12 characters or more) is read from stdin')
    .requiredOption('--email <email>', 'the sign-in name')
    .requiredOption('--role <role>', USER_ROLES.join(' | '))
    .option('--name <name>', 'display name')
    .option('--password-stdin', 'read the password from stdin (otherwise the user signs in only through OIDC)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { email: string; role: string; name?: string; passwordStdin?: boolean; json?: boolean }) => {
      const role = parseRole(opts.role);
      const password = opts.passwordStdin === true ? await readPasswordFromStdin() : null;
      const at = nowIso();
      const user = await ctx.store().unitOfWork(async (tx) => {
        let row: UserRow;
        try {
          row = await createUser(tx, { email: opts.email, role, name: opts.name ?? null, password }, at);
        } catch (err) {
          if (err instanceof AccessChangeError || err instanceof CredentialError) throw new UsageError(err.message);
          throw err;
        }
        await auditCli(tx, { action: 'user.create', targetType: 'user', targetId: row.id, reason: `role ${row.role}` }, at);
        return row;
      });
      const view = userView(user);
      emit(opts, view, () =>
        process.stdout.write(`user ${view.email} (${view.role}) created: ${view.id}${view.hasPassword ? '' : ' (no password: signs in through OIDC only)'}\n`),
      );
    });

  users
    .command('list')
    .description('list ops users')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const rows = (await ctx.store().repos.access.listUsers()).map(userView);
      emit(opts, rows, () =>
        printTable(rows.map((u) => ({ id: u.id, email: u.email, name: u.name ?? '', role: u.role, status: u.status, password: u.hasPassword ? 'yes' : 'no', created: u.createdAt.slice(0, 19) }))),
      );
    });

  users
    .command('disable <idOrEmail>')
    .description('disable an ops user: every session, API key and view-as token it holds or minted is revoked at once')
    .option('--json', 'machine-readable output')
    .action(async (idOrEmail: string, opts: { json?: boolean }) => {
      const at = nowIso();
      const out = await ctx.store().unitOfWork(async (tx) => {
        const user = await findUser(tx, idOrEmail);
        if (!user) throw new UsageError(`no user ${idOrEmail}`);
        const result = await disableUser(tx, user.id, at);
        const { sessions, keys } = result.revoked;
        await auditCli(tx, { action: 'user.disable', targetType: 'user', targetId: user.id, reason: `revoked ${sessions} session(s) and ${keys} key(s)` }, at);
        return result;
      });
      const view = { user: userView(out.user), revoked: out.revoked };
      emit(opts, view, () =>
        process.stdout.write(`user ${view.user.email} disabled; revoked ${out.revoked.sessions} session(s) and ${out.revoked.keys} API key(s)\n`),
      );
    });
}
