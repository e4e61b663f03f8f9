import type { Context, MiddlewareHandler } from 'hono';
import { ACTIONS, type Action } from '../../access/policy.ts';
import type { UserRole } from '../../store/index.ts';
import type { ConsoleEnv } from './deps.ts';
import { ConsoleError } from './errors.ts';

/**
 * What a console user may do, decided by the same ACTIONS table as the API (src/access/policy.ts):
 * a page shows a form only to a role the action allows, and the POST behind it checks again (a
 * hidden form is a courtesy, the refusal is the defence).
 */
export function roleMay(role: UserRole, action: Action): boolean {
  const rule = ACTIONS[action];
  const roles: 'all' | readonly UserRole[] | undefined = 'roles' in rule ? rule.roles : undefined;
  if (roles === undefined) return false;
  return roles === 'all' || roles.includes(role);
}

/**
 * Roles that see pay rates, margins and other pay data in the console. A viewer or a recruiter sees
 * everything else an ops role sees; pay shows as "hidden" for them. Kept beside the ACTIONS table's
 * roles so a new role must be placed in one or the other deliberately.
 */
export const PAY_ROLES: ReadonlySet<UserRole> = new Set(['ops_admin', 'coordinator', 'billing']);

export function maySeePay(role: UserRole): boolean {
  return PAY_ROLES.has(role);
}

/** Whether the signed-in user of this request may perform `action` (for hiding forms). */
export function userMay(c: Context<ConsoleEnv>, action: Action): boolean {
  return roleMay(c.get('consoleSignedIn').role, action);
}

/** Refuses the request (403, nothing changed) unless the signed-in role may perform `action`. */
export function requireAction(action: Action): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const { role } = c.get('consoleSignedIn');
    if (!roleMay(role, action)) {
      throw new ConsoleError(403, 'Not allowed', `Your role (${role}) may not do this (${action}). Nothing was changed.`);
    }
    await next();
  };
}
