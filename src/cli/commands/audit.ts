import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { newId } from '../../lib/ids.ts';
import { nowIso } from '../../lib/time.ts';
import type { AuditActorType, AuditEvent, AuditOutcome, AuditQuery, Repos } from '../../store/index.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, printTable } from '../output.ts';
import { parseLimit, parseSince } from './parse.ts';

const ACTOR_TYPES: readonly AuditActorType[] = ['contact', 'user', 'service', 'bootstrap', 'anonymous'];
const OUTCOMES: readonly AuditOutcome[] = ['success', 'failure', 'denied'];
/** Most rows one `crosswalk audit` prints: keyset paging in SQL, not a dump of the table. */
const MAX_LIMIT = 10_000;

/**
 * Who the CLI acts as in the access audit and in `createdBy`/`revokedBy` columns: the operating
 * system account that ran the command (`cli:<name>`). The CLI opens the database file directly, so
 * whoever can run it can write the file anyway; the audit records which account did.
 */
export function cliActor(): string {
  let name: string;
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry for the uid (a bare container): the environment is the next best witness.
    name = process.env['USER'] ?? process.env['LOGNAME'] ?? 'unknown';
  }
  return `cli:${name.replace(/[^\p{L}\p{N}._@+-]/gu, '_').slice(0, 64) || 'unknown'}`;
}

/** An access-audit row for a change the CLI made (actor `service` `cli:<os user>`, credential `cli`). */
export function cliAuditEvent(
  input: { action: string; targetType: string | null; targetId: string | null; outcome?: AuditOutcome; reason?: string | null },
  at: string,
): AuditEvent {
  return {
    id: newId(), at, actorType: 'service', actorId: cliActor(), onBehalfOf: null,
    action: input.action, targetType: input.targetType, targetId: input.targetId,
    outcome: input.outcome ?? 'success', reason: input.reason ?? null,
    credential: 'cli', ip: null, userAgent: 'crosswalk-cli', requestId: null,
  };
}

/** Appends the row inside the caller's unit of work: the change and its audit commit together. */
export async function auditCli(tx: Pick<Repos, 'audit'>, input: Parameters<typeof cliAuditEvent>[0], at: string): Promise<void> {
  await tx.audit.append([cliAuditEvent(input, at)]);
}

/** `kind:id` (the id may itself hold colons: `service:cli:dana`), or a bare `kind`. */
function splitPair(value: string, flag: string): [string, string | undefined] {
  const colon = value.indexOf(':');
  const kind = colon < 0 ? value : value.slice(0, colon);
  const id = colon < 0 ? undefined : value.slice(colon + 1);
  if (kind === '' || id === '') throw new UsageError(`${flag} expects kind:id or kind, got "${value}"`);
  return [kind, id];
}

function isoTime(value: string, flag: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`${flag} expects an ISO time, got "${value}"`);
  return new Date(t).toISOString();
}

interface AuditOpts {
  actor?: string;
  action?: string;
  target?: string;
  outcome?: string;
  since?: string;
  until?: string;
  limit: string;
  json?: boolean;
}

export function buildAuditQuery(opts: AuditOpts): AuditQuery {
  const limit = parseLimit(opts.limit);
  if (limit < 1 || limit > MAX_LIMIT) throw new UsageError(`--limit must be between 1 and ${MAX_LIMIT}`);
  const query: AuditQuery = { limit };
  if (opts.actor !== undefined) {
    const [kind, id] = splitPair(opts.actor, '--actor');
    const actorType = ACTOR_TYPES.find((t) => t === kind);
    if (actorType === undefined) throw new UsageError(`--actor kind must be one of ${ACTOR_TYPES.join(', ')}`);
    query.actorType = actorType;
    if (id !== undefined) query.actorId = id;
  }
  if (opts.target !== undefined) {
    const [type, id] = splitPair(opts.target, '--target');
    query.targetType = type;
    if (id !== undefined) query.targetId = id;
  }
  if (opts.action !== undefined) query.action = opts.action;
  if (opts.outcome !== undefined) {
    const outcome = OUTCOMES.find((o) => o === opts.outcome);
    if (outcome === undefined) throw new UsageError(`--outcome must be one of ${OUTCOMES.join(', ')}`);
    query.outcome = outcome;
  }
  if (opts.since !== undefined) query.since = parseSince(opts.since);
  if (opts.until !== undefined) query.until = isoTime(opts.until, '--until');
  return query;
}

const pair = (a: string | null, b: string | null): string => (a === null ? '' : b === null ? a : `${a}:${b}`);

/**
 * `crosswalk audit`: the access audit, newest first, with filters; `crosswalk audit purge`: the
 * retention, deleting what is older than a number of days (the purge itself is audited).
 */
export function registerAudit(program: Command, ctx: CliContext): void {
  const audit = program
    .command('audit')
    .description('the access audit: sign-ins, reads of sensitive data, writes, key, role and user changes (newest first)')
    .option('--actor <kind:id>', `who acted: ${ACTOR_TYPES.join(' | ')}, optionally with an id (service:cli:dana)`)
    .option('--action <action>', 'e.g. session.sign_in, key.create, time_entry.approve')
    .option('--target <type:id>', 'what was acted on, e.g. api_key:0123abcd or user')
    .option('--outcome <outcome>', OUTCOMES.join(' | '))
    .option('--since <when>', 'ISO time, or a duration back from now such as 2h or 7d')
    .option('--until <when>', 'ISO time: events before it')
    .option('--limit <n>', `at most this many (1 to ${MAX_LIMIT})`, '100')
    .option('--json', 'machine-readable output')
    .action(async (opts: AuditOpts) => {
      const query = buildAuditQuery(opts);
      const rows = await ctx.store().repos.audit.list(query);
      emit(opts, rows, () =>
        printTable(rows.map((e) => ({
          seq: e.seq, at: e.at.slice(0, 19), actor: pair(e.actorType, e.actorId), for: e.onBehalfOf ?? '', action: e.action,
          target: pair(e.targetType, e.targetId), outcome: e.outcome, reason: e.reason ?? '', via: e.credential ?? '', ip: e.ip ?? '',
        }))),
      );
    });

  audit
    .command('purge')
    .description('retention: delete audit events older than N days (the purge is itself recorded)')
    .requiredOption('--older-than-days <n>', 'keep this many days of events (at least 1)')
    .option('--json', 'machine-readable output')
    .action(async (_opts: unknown, command: Command) => {
      // `--json` after `purge` is taken by `audit` itself (commander gives a parent's options
      // precedence), so read the options of both.
      const opts = command.optsWithGlobals<{ olderThanDays: string; json?: boolean }>();
      const days = parseLimit(opts.olderThanDays);
      if (days < 1) throw new UsageError('--older-than-days must be at least 1 (refusing to empty the audit)');
      const at = nowIso();
      const before = new Date(Date.parse(at) - days * 86_400_000).toISOString();
      const deleted = await ctx.store().unitOfWork(async (tx) => {
        const n = await tx.audit.purgeBefore(before);
        await auditCli(tx, { action: 'audit.purge', targetType: 'audit_log', targetId: null, reason: `deleted ${n} event(s) before ${before}` }, at);
        return n;
      });
      emit(opts, { deleted, before }, () => process.stdout.write(`${deleted} audit event(s) before ${before} deleted\n`));
    });
}
