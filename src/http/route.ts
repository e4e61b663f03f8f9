import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { hasBody, readJsonBody } from './body.ts';
import type { AppEnv } from './env.ts';
import { ApiError, validationError, type ErrorCode } from './errors.ts';

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
  readonly method: 'get' | 'post';
  /** hono syntax: `/api/v1/conflicts/:id`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /** No bearer token needed (`/health`, `/metrics`). @defaultValue false */
  readonly public?: boolean;
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

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(where, result.error);
  return result.data;
}

export function createRegistrar(app: Hono<AppEnv>, jsonBodyLimit: number): RouteRegistrar {
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
      app.on(spec.method.toUpperCase(), spec.path, async (c) => {
        const params = parse(paramsSchema, c.req.param(), 'params') as z.output<P>;
        const query = parse(querySchema, queryObject(c), 'query') as z.output<Q>;
        let body: unknown = undefined;
        if (spec.body === undefined) {
          if (hasBody(c.req.raw)) throw new ApiError('body_not_allowed', `${spec.method.toUpperCase()} ${spec.path} takes no body`);
        } else {
          const raw = await readJsonBody(c, jsonBodyLimit);
          body = parse(spec.body, raw === undefined && spec.bodyOptional ? {} : raw, 'body');
        }
        return handler({ params, query, body } as RouteInput<P, Q, B>, c);
      });
    },
  };
}
