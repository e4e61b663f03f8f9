import type { RequestIdVariables } from 'hono/request-id';

/** The hono environment of every route: the request id set by the first middleware. */
export interface AppEnv {
  Variables: RequestIdVariables;
}
