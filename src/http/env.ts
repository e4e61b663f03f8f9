import type { RequestIdVariables } from 'hono/request-id';
import type { Access } from '../access/policy.ts';
import type { Principal } from '../access/principal.ts';

export interface AuditMark {
  readonly action: string;
  readonly targetType: string | null;
  readonly targetId: string | null;
  readonly reason?: string;
}

/**
 * The hono environment of every route: the request id set by the first middleware, the principal
 * the authentication middleware resolved (null: nobody signed in), and the caller's roles once a
 * route has loaded them.
 */
export interface AppEnv {
  Variables: RequestIdVariables & {
    principal: Principal | null;
    access: Access | undefined;
    /** A JSON body read ahead by the idempotency layer (null: the request had none). */
    rawBody: unknown;
    /** What the access audit records for this request, when anything (see the app's audit middleware). */
    audit: AuditMark | undefined;
  };
}
