import type { RequestIdVariables } from 'hono/request-id';
import type { Engine, SyncPolicy } from '../../engine/index.ts';
import type { SystemRef } from '../../mapping/bind.ts';
import type { MappingRegistry } from '../../mapping/registry.ts';
import type { Store, UserRole } from '../../store/index.ts';
import type { HttpLogger } from '../deps.ts';
import type { OpsSignIn } from './auth.ts';

export interface ConsoleDeps {
  readonly store: Store;
  readonly policy: SyncPolicy;
  /**
   * Password checks of ops users (the sign-in form and `Authorization: Basic email:password`), with
   * their rate limits. Share one with Bull Board so both count failures together.
   * @defaultValue a new OpsSignIn over `store`, with its own limiters
   */
  readonly signIn?: OpsSignIn;
  /** The clock, ISO-8601 UTC. @defaultValue nowIso */
  readonly now?: () => string;
  /**
   * The configured systems, listed on the overview with their last runs.
   * @defaultValue the systems named by the latest 200 runs (a system that never ran is not listed)
   */
  readonly systems?: readonly { readonly id: string }[];
  /**
   * Origins besides the request's own that a POST may come from: the public URL when a proxy that
   * terminates TLS forwards to plain HTTP (`https://ops.example.test`).
   * @defaultValue []
   */
  readonly origins?: readonly string[];
  /** @defaultValue a pino logger named `console` */
  readonly log?: HttpLogger;
  /**
   * The hub's own API, called in-process for "view as contact" (the portal's view under a view-as
   * token). `mountConsole` passes the app it mounts on; without it the view-as page says so.
   */
  readonly api?: (request: Request) => Response | Promise<Response>;
  /**
   * CSV uploads through the console (the import code of src/csv with its dry run) and the mappings
   * screen. Without them those pages say they are not configured here.
   */
  readonly imports?: { readonly engine: Engine; readonly mappings: MappingRegistry; readonly tempDir?: string };
  readonly mappings?: { readonly dir: string; readonly systems: readonly SystemRef[]; readonly registry: MappingRegistry };
}

export interface ResolvedConsoleDeps extends ConsoleDeps {
  readonly signIn: OpsSignIn;
  readonly now: () => string;
  readonly origins: readonly string[];
  readonly log: HttpLogger;
}

/** The ops user behind a console request. */
export interface ConsoleSignedIn {
  readonly id: string;
  readonly email: string;
  readonly role: UserRole;
  /** How they proved it, for the audit: `session:<id>` or `basic`. */
  readonly credential: string;
}

/**
 * The console's hono environment: the request id, the signed-in user's e-mail (shown in the page
 * header) and the user itself (the actor in the ledger, the role that decides what it may change).
 */
export interface ConsoleEnv {
  Variables: RequestIdVariables & { consoleUser: string; consoleSignedIn: ConsoleSignedIn };
}

/** Who a console decision is recorded as: the authenticated ops user, `user:<id>`. */
export function actorOf(user: Pick<ConsoleSignedIn, 'id'>): string {
  return `user:${user.id}`;
}
