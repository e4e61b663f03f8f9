import { z } from 'zod';
import { ERROR_CODES, ErrorEnvelope, type ErrorCode } from './errors.ts';
import type { RegisteredRoute } from './route.ts';

type JsonSchema = Record<string, unknown>;

/** Error codes any route may answer with; `errors` on a route adds its own. */
const ALWAYS: readonly ErrorCode[] = ['invalid_request', 'internal'];
// A route that needs a principal can refuse one (401) or the one it got (403: its policy action).
const WITH_TOKEN: readonly ErrorCode[] = ['unauthorized', 'forbidden'];
const WITH_BODY: readonly ErrorCode[] = ['invalid_json', 'payload_too_large', 'unsupported_media_type'];
const WITHOUT_BODY: readonly ErrorCode[] = ['body_not_allowed'];

/**
 * Query and path parameters are documented as the values they become (a number, a boolean), bodies
 * as what the client sends. Refinements and transforms have no JSON Schema; they are left out
 * rather than failing the document.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out['$schema'];
  return out;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const output = jsonSchema(schema, 'output');
  const input = jsonSchema(schema, 'input');
  const properties = (output['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((input['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function errorResponses(route: RegisteredRoute): Record<string, JsonSchema> {
  const codes = new Set<ErrorCode>([
    ...ALWAYS,
    ...(route.access === 'public' ? [] : WITH_TOKEN),
    ...(route.body ? WITH_BODY : WITHOUT_BODY),
    ...(route.errors ?? []),
  ]);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_CODES[code], [...(byStatus.get(ERROR_CODES[code]) ?? []), code]);
  const out: Record<string, JsonSchema> = {};
  for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    out[String(status)] = {
      description: `error: ${list.join(', ')}`,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return out;
}

function operation(route: RegisteredRoute): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, doc] of Object.entries(route.responses)) {
    responses[status] = {
      description: doc.description,
      ...(doc.schema ? { content: { [doc.contentType ?? 'application/json']: { schema: jsonSchema(doc.schema, 'output') } } } : {}),
    };
  }
  const params = [...parameters(route.params, 'path'), ...parameters(route.query, 'query')];
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    tags: [route.tag],
    security: route.access === 'public' ? [] : [{ bearer: [] }, { session: [] }],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.body
      ? { requestBody: { required: !route.bodyOptional, content: { [route.bodyContentType ?? 'application/json']: { schema: jsonSchema(route.body, 'input') } } } }
      : {}),
    responses: { ...responses, ...errorResponses(route) },
  };
}

/** hono's `:id` is OpenAPI's `{id}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** An OpenAPI 3.1 document of every registered route, from the schemas that validate them. */
export function buildOpenApi(routes: readonly RegisteredRoute[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Crosswalk API',
      version: '1.0.0',
      description:
        'Canonical reads, the sync ledger, conflicts and their resolution, runs, the queues of record, sync triggers and portal actions. Every /api/v1 route but the public ones acts as one authenticated principal: `Authorization: Bearer` with an API key (`cw_live_…`), an OIDC token or a view-as token, or the `cw_session` cookie of a magic-link sign-in. What each principal may see is scoped by its roles; an id outside its scope answers 404. Every error is `{ error: { code, message, details? } }`.',
    },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'cw_session' } },
      schemas: { Error: jsonSchema(ErrorEnvelope, 'output') },
    },
  };
}
