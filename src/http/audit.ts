import { credentialLabel, type Principal } from '../access/principal.ts';
import { newId } from '../lib/ids.ts';
import type { AuditEvent, AuditOutcome, Store } from '../store/index.ts';

export interface AuditInput {
  readonly action: string;
  readonly outcome: AuditOutcome;
  readonly targetType?: string | null;
  readonly targetId?: string | null;
  readonly reason?: string | null;
  readonly principal: Principal | null;
  readonly requestId: string | null;
}

/** What the audit reads from a request, whatever the hono environment of its app. */
export interface RequestLike {
  readonly req: { header(name: string): string | undefined };
  readonly env: unknown;
}

/** The client's address: the socket's, never a header a client can forge (no proxy is trusted). */
export function clientIp(c: RequestLike): string | null {
  // @hono/node-server puts the Node request on `c.env.incoming`; hono types `env` per app.
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? null;
}

/** One audit event for this request, with actor, on-behalf-of, credential, IP, user agent and request id. */
export function auditEvent(c: RequestLike, input: AuditInput, now: string): AuditEvent {
  const principal = input.principal;
  return {
    id: newId(),
    at: now,
    actorType: principal === null ? 'anonymous' : principal.kind,
    actorId: principal === null ? null : principal.id,
    onBehalfOf: principal?.kind === 'contact' ? principal.onBehalfOf : null,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    outcome: input.outcome,
    reason: input.reason ?? null,
    credential: principal === null ? null : credentialLabel(principal.credential),
    ip: clientIp(c),
    userAgent: c.req.header('user-agent')?.slice(0, 300) ?? null,
    requestId: input.requestId,
  };
}

/** Appends an event in its own statement (outside any unit of work). */
export async function writeAudit(store: Store, c: RequestLike, input: AuditInput, now: string): Promise<void> {
  await store.repos.audit.append([auditEvent(c, input, now)]);
}
