import type { KeyScope, UserRole } from '../store/index.ts';

/**
 * Who is asking: resolved from the request's credential before any route runs, never from a body.
 *
 * - `contact`: a client-side person (OIDC token, magic-link session, their API key, or an ops user's
 *   view-as token — then `onBehalfOf` names the ops user and `readOnly` is set).
 * - `user`: internal staff (OIDC token, console password session, their API key).
 * - `service`: a machine caller holding a service API key with an internal role of its own.
 * - `bootstrap`: the admin token, which may only create the first ops user.
 */
export type Principal = ContactPrincipal | UserPrincipal | ServicePrincipal | BootstrapPrincipal;

/** How the caller proved who it is; recorded in the audit (never the secret). */
export type Credential =
  | { readonly type: 'api_key'; readonly id: string }
  | { readonly type: 'session'; readonly id: string }
  | { readonly type: 'view_as'; readonly id: string }
  | { readonly type: 'jwt'; readonly subject: string }
  | { readonly type: 'admin_token' }
  /** A contact acting through an e-mail approval link (id: the first characters of the link's hash). */
  | { readonly type: 'approval_link'; readonly id: string };

/** Narrowing an API key adds to its owner's powers (never widening them). */
export interface KeyLimits {
  readonly scopes: readonly KeyScope[];
  readonly clientId: string | null;
  readonly worksiteId: string | null;
  /** The key's own expiry: a key it mints never outlives it. */
  readonly expiresAt: string | null;
}

interface Base {
  readonly credential: Credential;
  /** Set for view-as: reads only, every write answers 403. */
  readonly readOnly: boolean;
  readonly limits: KeyLimits | null;
}

export interface ContactPrincipal extends Base {
  readonly kind: 'contact';
  readonly id: string;
  readonly clientId: string;
  readonly email: string | null;
  /** The ops user acting as this contact (view-as). */
  readonly onBehalfOf: string | null;
}

export interface UserPrincipal extends Base {
  readonly kind: 'user';
  readonly id: string;
  readonly role: UserRole;
  readonly email: string;
}

export interface ServicePrincipal extends Base {
  readonly kind: 'service';
  /** The key id. */
  readonly id: string;
  readonly role: UserRole;
  readonly name: string;
}

export interface BootstrapPrincipal extends Base {
  readonly kind: 'bootstrap';
  readonly id: 'admin-token';
}

/** How the principal appears in the ledger and histories: `contact:<id>`, `user:<id>`, `service:<key id>`. */
export function actorOf(p: Principal): string {
  return `${p.kind}:${p.id}`;
}

export function credentialLabel(c: Credential): string {
  switch (c.type) {
    case 'api_key':
      return `api_key:${c.id}`;
    case 'session':
      return `session:${c.id}`;
    case 'view_as':
      return `view_as:${c.id}`;
    case 'jwt':
      return 'jwt';
    case 'admin_token':
      return 'admin_token';
    case 'approval_link':
      return `approval_link:${c.id}`;
  }
}
