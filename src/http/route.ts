import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { can, needsEverywhere, NOT_EVERYWHERE, type Action } from '../access/policy.ts';
import { hasBody, readJsonBody } from './body.ts';
import type { AppEnv } from './env.ts';
import { ApiError, type ErrorCode } from './errors.ts';
import { parseInput as parse } from './raw-input.ts';

const NoInput = z.strictObject({});
type NoInput = typeof NoInput;

export interface ResponseDoc {
  readonly description: string;
  /** Absent for an empty response. */
  readonly schema?: z.ZodType;
  /** @defaultValue 'application/json' */
  readonly contentType?: string;
}

export interface RouteInput<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType | undefined> {
  readonly params: z.output<P>;
  readonly query: z.output<Q>;
  readonly body: B extends z.ZodType ? z.output<B> : undefined;
}

/**
 * One route: where it lives, what it accepts and answers, and its handler. The same schemas
 * validate the request and generate the OpenAPI document, so the two cannot drift apart.
 */
export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType | undefined> {
  readonly method: 'get' | 'post' | 'put';
  /** hono syntax: `/api/v1/conflicts/:id`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /**
   * The policy action that guards the route (src/access/policy.ts): who may call it at all. Required:
   * a route without one does not compile, and the access matrix test walks every route's action.
   * Which rows it may touch is the handler's part, through the same policy's scope.
   */
  readonly access: Action;
  /**
   * What the access audit records for a call. Default: every POST as `<operationId>`, GETs not at
   * all; reads of time, invoices, rates and documents name their action here.
   */
  readonly audit?: { readonly action: string; readonly targetType?: string } | false;
  /**
   * False for a POST whose answer holds a secret shown once (a new API key, a view-as token): its
   * answer is never stored for replay, and an `Idempotency-Key` on it is a 400. @defaultValue true
   */
  readonly idempotent?: false;
  readonly params?: P;
  readonly query?: Q;
  /** Absent: the route takes no body and refuses one that arrives. */
  readonly body?: B;
  /**
   * The body's media type in the document. Only routes served outside the registrar (see
   * `describe`) use another than JSON: the registrar itself reads JSON bodies only.
   * @defaultValue 'application/json'
   */
  readonly bodyContentType?: string;
  /** An empty request counts as `{}` (a POST whose every field is optional). @defaultValue false */
  readonly bodyOptional?: boolean;
  /** Success responses; error responses are added from `errors` and the defaults. */
  readonly responses: Readonly<Record<number, ResponseDoc>>;
  /** Error codes this route can answer beyond the ones every route can. */
  readonly errors?: readonly ErrorCode[];
  readonly handler: (input: RouteInput<P, Q, B>, c: Context<AppEnv>) => Promise<Response> | Response;
}

/** What the OpenAPI document is built from: a route without its handler. */
export type RegisteredRoute = Omit<RouteSpec<z.ZodType, z.ZodType, z.ZodType | undefined>, 'handler'>;

/** Runs an idempotent POST: replays a stored answer or runs `run` and stores its answer. */
export type IdempotencyRunner = (c: Context<AppEnv>, key: string, bodyText: string, run: () => Promise<Response>) => Promise<Response>;

export interface RouteRegistrar {
  route<P extends z.ZodType = NoInput, Q extends z.ZodType = NoInput, B extends z.ZodType | undefined = undefined>(
    spec: RouteSpec<P, Q, B>,
  ): void;
  /**
   * Documents a route that a mounted sub-app serves itself (multipart uploads, CSV downloads), from
   * the same schemas that sub-app validates with, so the OpenAPI document covers it too.
   */
  describe(doc: RegisteredRoute): void;
  readonly routes: readonly RegisteredRoute[];
}

/** Query parameters as one object; a parameter given twice is refused rather than guessed at. */
function queryObject(c: Context<AppEnv>): Record<string, string> {
  const out: Record<string, string> = {};
  const repeated: string[] = [];
  for (const [key, values] of Object.entries(c.req.queries())) {
    if (values.length > 1) repeated.push(key);
    out[key] = values[0] ?? '';
  }
  if (repeated.length > 0) {
    throw new ApiError(
      'invalid_request',
      `query parameter(s) given more than once: ${repeated.join(', ')}`,
      repeated.map((key) => ({ path: `query.${key}`, message: 'given more than once' })),
    );
  }
  return out;
}

/** The audit action of a call, or null when the route is not audited. */
export function auditActionOf(route: RegisteredRoute): { readonly action: string; readonly targetType?: string } | null {
  if (route.audit === false) return null;
  if (route.audit !== undefined) return route.audit;
  return route.method === 'post' ? { action: route.operationId } : null;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** Whether the caller sees every client (loads its roles once per request). */
export type EverywhereCheck = (c: Context<AppEnv>) => Promise<boolean>;

export function createRegistrar(app: Hono<AppEnv>, jsonBodyLimit: number, idempotent?: IdempotencyRunner, everywhere?: EverywhereCheck): RouteRegistrar {
  const routes: RegisteredRoute[] = [];
  const add = (doc: RegisteredRoute) => {
    if (routes.some((r) => r.method === doc.method && r.path === doc.path)) {
      throw new Error(`route ${doc.method.toUpperCase()} ${doc.path} registered twice`);
    }
    routes.push(doc);
  };
  return {
    routes,
    describe: add,
    route<P extends z.ZodType = NoInput, Q extends z.ZodType = NoInput, B extends z.ZodType | undefined = undefined>(spec: RouteSpec<P, Q, B>) {
      const { handler, ...doc } = spec;
      if (spec.bodyContentType !== undefined && spec.bodyContentType !== 'application/json') {
        throw new Error(`route ${spec.method.toUpperCase()} ${spec.path}: the registrar reads JSON bodies only`);
      }
      add(doc);
      const paramsSchema: z.ZodType = spec.params ?? NoInput;
      const querySchema: z.ZodType = spec.query ?? NoInput;
      const audit = auditActionOf(doc);
      app.on(spec.method.toUpperCase(), spec.path, async (c) => {
        // Function-level authorization before anything is parsed: a caller who may not use the route
        // learns nothing from its validation errors.
        const principal = c.get('principal') ?? null;
        const targetId = c.req.param('id') ?? null;
        // What the access audit records for this call (the app's audit middleware writes it with the status).
        if (audit !== null) c.set('audit', { action: audit.action, targetType: audit.targetType ?? null, targetId });
        // Under view-as every request is audited, with the ops user behind it.
        else if (principal?.credential.type === 'view_as') c.set('audit', { action: `view_as.${spec.operationId}`, targetType: null, targetId });
        let decision = can(principal, spec.access);
        // (The bootstrap token's one power, creating the first ops admin, is not a data scope.)
        if (decision.ok && needsEverywhere(spec.access) && principal !== null && principal.kind !== 'bootstrap' && !(await (everywhere?.(c) ?? Promise.resolve(false)))) {
          decision = { ok: false, reason: NOT_EVERYWHERE };
        }
        if (!decision.ok) {
          // A refusal is audited whatever the route: denied calls are what an audit is read for.
          c.set('audit', { action: audit?.action ?? spec.operationId, targetType: audit?.targetType ?? null, targetId, reason: decision.reason });
          if (principal === null) throw new ApiError('unauthorized', 'sign in: send Authorization: Bearer <token> or a session cookie');
          throw new ApiError('forbidden', decision.reason);
        }
        const run = async (): Promise<Response> => {
          const params = parse(paramsSchema, c.req.param(), 'params') as z.output<P>;
          const query = parse(querySchema, queryObject(c), 'query') as z.output<Q>;
          let body: unknown = undefined;
          if (spec.body === undefined) {
            if (hasBody(c.req.raw)) throw new ApiError('body_not_allowed', `${spec.method.toUpperCase()} ${spec.path} takes no body`);
          } else {
            const raw = c.get('rawBody'); // set below when the idempotency layer read the body first
            const value = raw === undefined ? await readJsonBody(c, jsonBodyLimit) : raw === null ? undefined : raw;
            body = parse(spec.body, value === undefined && spec.bodyOptional ? {} : value, 'body');
          }
          return handler({ params, query, body } as RouteInput<P, Q, B>, c);
        };
        const key = c.req.header('idempotency-key');
        if (spec.method !== 'post' || key === undefined || idempotent === undefined) return run();
        if (spec.idempotent === false) throw new ApiError('invalid_request', `${spec.path} answers with a secret shown once, so it takes no Idempotency-Key (its answer is never stored)`);
        if (!IDEMPOTENCY_KEY.test(key)) throw new ApiError('invalid_request', 'Idempotency-Key must be 1 to 200 visible ASCII characters');
        const raw = spec.body === undefined ? undefined : await readJsonBody(c, jsonBodyLimit);
        c.set('rawBody', raw === undefined ? null : raw); // the body is read once; run() takes it from here
        return idempotent(c, key, raw === undefined ? '' : JSON.stringify(raw), run);
      });
    },
  };
}
