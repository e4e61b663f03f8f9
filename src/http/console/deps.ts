import type { RequestIdVariables } from 'hono/request-id';
import type { SyncPolicy } from '../../engine/index.ts';
import type { Store } from '../../store/index.ts';
import type { HttpLogger } from '../deps.ts';

export interface ConsoleDeps {
  readonly store: Store;
  readonly policy: SyncPolicy;
  /**
   * The basic-auth password (`CROSSWALK_ADMIN_TOKEN`). Null or empty: every console page answers
   * 401 and says which variable to set.
   */
  readonly adminToken: string | null;
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
}

export interface ResolvedConsoleDeps extends ConsoleDeps {
  readonly now: () => string;
  readonly origins: readonly string[];
  readonly log: HttpLogger;
}

/** The console's hono environment: the request id, and the signed-in user name (the actor in the ledger). */
export interface ConsoleEnv {
  Variables: RequestIdVariables & { consoleUser: string };
}

/** Who a console decision is recorded as. */
export function actorOf(user: string): string {
  return `console:${user}`;
}
