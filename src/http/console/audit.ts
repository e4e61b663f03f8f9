import type { Context } from 'hono';
import { newId } from '../../lib/ids.ts';
import type { AuditEvent, AuditOutcome, Repos } from '../../store/index.ts';
import { clientIp } from '../audit.ts';
import type { ConsoleEnv } from './deps.ts';

export interface ConsoleAuditInput {
  readonly action: string;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly outcome?: AuditOutcome;
  readonly reason?: string | null;
  /** Who the user acted as (view-as): the contact. */
  readonly onBehalfOf?: string | null;
}

/** The audit row of a console action: the signed-in ops user as actor, with the credential they used. */
export function consoleAudit(c: Context<ConsoleEnv>, input: ConsoleAuditInput, at: string): AuditEvent {
  const user = c.get('consoleSignedIn');
  const requestId: unknown = c.get('requestId');
  return {
    id: newId(), at, actorType: 'user', actorId: user.id, onBehalfOf: input.onBehalfOf ?? null,
    action: `console.${input.action}`, targetType: input.targetType, targetId: input.targetId,
    outcome: input.outcome ?? 'success', reason: input.reason ?? null, credential: user.credential,
    ip: clientIp(c), userAgent: c.req.header('user-agent')?.slice(0, 500) ?? null,
    requestId: typeof requestId === 'string' ? requestId : null,
  };
}

/** Appends the audit rows, inside the caller's unit of work when it passes its repos. */
export async function writeAudit(repos: Pick<Repos, 'audit'>, events: readonly AuditEvent[]): Promise<void> {
  if (events.length > 0) await repos.audit.append(events);
}
