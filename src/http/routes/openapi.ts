import { z } from 'zod';
import { buildOpenApi } from '../openapi.ts';
import type { RouteRegistrar } from '../route.ts';

export function registerOpenApi(api: RouteRegistrar): void {
  let document: Record<string, unknown> | null = null;
  api.route({
    method: 'get',
    path: '/api/v1/openapi.json',
    access: 'public',
    operationId: 'openapi',
    summary: 'This document: OpenAPI 3.1, generated from the schemas the routes validate with',
    tag: 'operations',
    responses: { 200: { description: 'the OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
    handler: (_input, c) => {
      // Built on first request, after every route (the runtime's mounted ones too) is registered.
      document ??= buildOpenApi(api.routes);
      return c.json(document);
    },
  });
}
