import { Hono } from 'hono';
import { nowIso } from '../../lib/time.ts';
import { sensitiveHeaders } from '../../../connectors/index.ts';
import { createLogger } from '../../lib/logger.ts';
import type { AppEnv } from '../env.ts';
import { consoleAuth, OpsSignIn, requireWriteRole } from './auth.ts';
import { sameOriginOnly } from './csrf.ts';
import type { ConsoleDeps, ConsoleEnv, ResolvedConsoleDeps } from './deps.ts';
import { ConsoleError, consoleErrorHandler } from './errors.ts';
import { registerConflicts } from './pages/conflicts.ts';
import { registerLedger } from './pages/ledger.ts';
import { registerLogin } from './pages/login.ts';
import { registerOutbox } from './pages/outbox.ts';
import { registerOverview } from './pages/overview.ts';
import { registerRecord } from './pages/record.ts';
import { registerRuns } from './pages/runs.ts';
import { registerSearch } from './pages/search.ts';
import { registerInbox } from './pages/inbox.ts';
import { registerExceptions } from './pages/exceptions.ts';
import { registerAccess } from './pages/access.ts';
import { registerImports } from './pages/imports.ts';
import { registerMappings } from './pages/mappings.ts';

export type { ConsoleDeps } from './deps.ts';
export { OpsSignIn } from './auth.ts';

/** Where the console lives. */
export const CONSOLE_BASE = '/console';

/**
 * The ops console: server-rendered pages under `/console` (no scripts, no external assets) to read
 * the hub's state, resolve conflicts and replay parked pushes. Ops users sign in at
 * `/console/login` (a cookie session) or send Basic e-mail:password; what they do is recorded as
 * `user:<id>`. Every role reads; ops_admin and coordinator change. POSTs must come from this origin.
 */
export function createConsole(input: ConsoleDeps): Hono<ConsoleEnv> {
  const now = input.now ?? nowIso;
  const deps: ResolvedConsoleDeps = {
    ...input,
    signIn: input.signIn ?? new OpsSignIn({ store: input.store, now }),
    now,
    origins: input.origins ?? [],
    log: input.log ?? createLogger({ name: 'console', redactHeaders: sensitiveHeaders() }),
  };
  const app = new Hono<ConsoleEnv>();
  app.onError(consoleErrorHandler(deps));
  // The sign-in form answers without a session; everything after it needs one.
  registerLogin(app, deps);
  // Sign-in first, so an unauthenticated caller learns nothing, not even whether a path exists.
  app.use('*', consoleAuth(deps.signIn));
  app.use('*', sameOriginOnly(deps.origins));
  app.use('*', requireWriteRole());
  registerOverview(app, deps);
  registerConflicts(app, deps);
  registerLedger(app, deps);
  registerOutbox(app, deps);
  registerRuns(app, deps);
  registerRecord(app, deps);
  registerSearch(app, deps);
  registerInbox(app, deps);
  registerExceptions(app, deps);
  registerAccess(app, deps);
  registerImports(app, deps);
  registerMappings(app, deps);
  app.all('*', (c) => {
    // `/console/` and friends: the same page without the slash. Every path here starts with
    // `/console`, so the target can never be another host.
    if ((c.req.method === 'GET' || c.req.method === 'HEAD') && c.req.path.length > 1 && c.req.path.endsWith('/')) {
      return c.redirect(`${c.req.path.replace(/\/+$/, '')}${new URL(c.req.url).search}`, 301);
    }
    throw new ConsoleError(404, 'Not found', `There is no console page at ${c.req.method} ${c.req.path}.`);
  });
  return app;
}

/** Mounts the console on the hub's app. Call before the app's `notFound`, e.g. from `HttpDeps.mount`. */
export function mountConsole(app: Hono<AppEnv>, deps: ConsoleDeps): void {
  app.route(CONSOLE_BASE, createConsole({ ...deps, api: deps.api ?? ((request) => app.fetch(request)) }));
}
