import type { Command } from 'commander';
import { AccessChangeError, createGrant, findCrossClientRoles, type CrossClientRole } from '../../access/admin.ts';
import { nowIso } from '../../lib/time.ts';
import { GRANT_ROLES, type GrantRole, type GrantRow, type SubjectKind } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, printTable } from '../output.ts';
import { auditCli, cliActor } from './audit.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isoDate(value: string, flag: string): string {
  if (!ISO_DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new UsageError(`${flag} expects a date as YYYY-MM-DD, got "${value}"`);
  return value;
}

function parseGrantRole(value: string): GrantRole {
  const role = GRANT_ROLES.find((r) => r === value);
  if (role === undefined) throw new UsageError(`--role must be one of ${GRANT_ROLES.join(', ')}`);
  return role;
}

function subjectOf(opts: { contact?: string; user?: string }, required: boolean): { kind: SubjectKind; id: string } | null {
  if (opts.contact !== undefined && opts.user !== undefined) throw new UsageError('give --contact or --user, not both');
  if (opts.contact !== undefined) return { kind: 'contact', id: opts.contact };
  if (opts.user !== undefined) return { kind: 'user', id: opts.user };
  if (required) throw new UsageError('give --contact <id> or --user <id>');
  return null;
}

const where = (g: GrantRow): string =>
  [g.clientId && `client ${g.clientId}`, g.worksiteId && `worksite ${g.worksiteId}`].filter(Boolean).join(', ');

interface GrantOpts {
  contact?: string;
  user?: string;
  role: string;
  client?: string;
  worksite?: string;
  for?: string;
  from?: string;
  to?: string;
  json?: boolean;
}

/**
 * `crosswalk access grant|grants|revoke|check`: roles that are data (client admins, dated delegate
 * approvers, staff at clients and worksites), and the check for contact–worksite roles that cross
 * clients (exit code 1 when there are any).
 */
export function registerAccess(program: Command, ctx: CliContext): void {
  const access = program.command('access').description('roles held as data: grant, list, revoke, and the cross-client check');

  access
    .command('grant')
    .description(`grant a role: ${GRANT_ROLES.join(', ')}`)
    .option('--contact <id>', 'a contact (client_admin, delegate_approver)')
    .option('--user <id>', 'an ops user (recruiter, coordinator, billing)')
    .requiredOption('--role <role>', GRANT_ROLES.join(' | '))
    .option('--client <id>', 'at this client')
    .option('--worksite <id>', 'at this worksite')
    .option('--for <contactId>', 'delegate_approver: the approver stood in for')
    .option('--from <date>', 'valid from (YYYY-MM-DD, inclusive)')
    .option('--to <date>', 'valid to (YYYY-MM-DD, inclusive)')
    .option('--json', 'machine-readable output')
    .action(async (opts: GrantOpts) => {
      const subject = subjectOf(opts, true);
      if (subject === null) return;
      const role = parseGrantRole(opts.role);
      const at = nowIso();
      const grant = await ctx.store().unitOfWork(async (tx) => {
        let row: GrantRow;
        try {
          row = await createGrant(tx, {
            subjectKind: subject.kind, subjectId: subject.id, role,
            clientId: opts.client ?? null, worksiteId: opts.worksite ?? null, forContactId: opts.for ?? null,
            validFrom: opts.from === undefined ? null : isoDate(opts.from, '--from'), validTo: opts.to === undefined ? null : isoDate(opts.to, '--to'),
          }, cliActor(), at);
        } catch (err) {
          if (err instanceof AccessChangeError) throw new UsageError(err.message);
          throw err;
        }
        await auditCli(tx, { action: 'grant.create', targetType: 'grant', targetId: row.id, reason: `${row.role} to ${row.subjectKind}:${row.subjectId} at ${where(row)}` }, at);
        return row;
      });
      emit(opts, grant, () => process.stdout.write(`granted ${grant.role} to ${grant.subjectKind} ${grant.subjectId} at ${where(grant)}: ${grant.id}\n`));
    });

  access
    .command('grants')
    .description('list grants in force (revoked ones too with --all)')
    .option('--contact <id>', 'grants of this contact')
    .option('--user <id>', 'grants of this user')
    .option('--client <id>', 'grants at this client or its worksites')
    .option('--all', 'include revoked grants')
    .option('--json', 'machine-readable output')
    .action(async (opts: { contact?: string; user?: string; client?: string; all?: boolean; json?: boolean }) => {
      const subject = subjectOf(opts, false);
      const rows = await ctx.store().repos.access.listGrants({
        ...(subject === null ? {} : { subjectKind: subject.kind, subjectId: subject.id }),
        ...(opts.client === undefined ? {} : { clientId: opts.client }),
        includeRevoked: opts.all === true,
      });
      emit(opts, rows, () =>
        printTable(rows.map((g) => ({
          id: g.id, subject: `${g.subjectKind}:${g.subjectId}`, role: g.role, at: where(g), for: g.forContactId ?? '',
          from: g.validFrom ?? '', to: g.validTo ?? '', by: g.createdBy, revoked: g.revokedAt?.slice(0, 19) ?? '',
        }))),
      );
    });

  access
    .command('revoke <grantId>')
    .description('revoke a grant: it stops counting on the next request')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      const at = nowIso();
      const result = await ctx.store().unitOfWork(async (tx) => {
        const grant = await tx.access.grantById(id);
        if (!grant) throw new UsageError(`no grant ${id}`);
        const revoked = await tx.access.revokeGrant(id, cliActor(), at);
        if (revoked) await auditCli(tx, { action: 'grant.revoke', targetType: 'grant', targetId: id, reason: `${grant.role} of ${grant.subjectKind}:${grant.subjectId}` }, at);
        return { id, revoked, revokedAt: revoked ? at : grant.revokedAt };
      });
      emit(opts, result, () => process.stdout.write(result.revoked ? `grant ${id} revoked\n` : `grant ${id} was already revoked at ${String(result.revokedAt)}\n`));
    });

  access
    .command('check')
    .description('report contact–worksite roles whose contact and worksite belong to different clients (exit code 1 when any exist)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const rows: CrossClientRole[] = await findCrossClientRoles(ctx.store().repos);
      emit(opts, { ok: rows.length === 0, crossClientRoles: rows }, () => {
        if (rows.length === 0) {
          process.stdout.write('no contact–worksite role crosses clients\n');
          return;
        }
        process.stdout.write(`${rows.length} contact–worksite role(s) cross clients; they grant nothing, and should be removed at their source:\n`);
        printTable(rows.map((r) => ({ role: r.roleId, contact: r.contactId, contactClient: r.contactClientId, worksite: r.worksiteId, worksiteClient: r.worksiteClientId, as: r.role })));
      });
      if (rows.length > 0) process.exitCode = 1;
    });
}
