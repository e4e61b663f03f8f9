/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return --
   Response bodies are untyped JSON (Reply.json); the assertions are what check their shape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { increment } from '../../src/http/deps.ts';
import { openApiPath } from '../../src/http/openapi.ts';
import { seedWorld, startHarness, type Harness } from './support.ts';

interface ParsedMetrics {
  types: Map<string, string>;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

/** A strict reader of the text exposition format: any line it does not understand fails the test. */
function parseMetrics(text: string): ParsedMetrics {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: ParsedMetrics['samples'] = [];
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (kind === 'HELP') helps.add(name);
      else {
        expect(['gauge', 'counter']).toContain(rest);
        expect(types.has(name), `TYPE ${name} twice`).toBe(false);
        types.set(name, rest);
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(sample, `unparsable line: ${line}`).not.toBeNull();
    const [, name, labelText, value] = sample as unknown as [string, string, string | undefined, string];
    expect(types.has(name), `sample before TYPE: ${line}`).toBe(true);
    expect(helps.has(name)).toBe(true);
    const labels: Record<string, string> = {};
    const labelRe = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)/y;
    let at = 0;
    while (labelText !== undefined && at < labelText.length) {
      labelRe.lastIndex = at;
      const m = labelRe.exec(labelText);
      expect(m, `bad labels: ${labelText}`).not.toBeNull();
      const [whole, key, raw] = m as unknown as [string, string, string];
      labels[key] = raw.replace(/\\(\\|"|n)/g, (_s, ch: string) => (ch === 'n' ? '\n' : ch));
      at += whole.length;
    }
    expect(Number.isNaN(Number(value)) && value !== 'NaN').toBe(false);
    samples.push({ name, labels, value: Number(value) });
  }
  return { types, samples };
}

describe('health', () => {
  let h: Harness;
  let redisOk = true;
  beforeAll(async () => {
    h = await startHarness({ health: async () => ({ redis: redisOk ? { ok: true } : { ok: false, detail: 'no PONG' } }) });
    await h.store.unitOfWork(async (tx) => {
      const run = await tx.runs.start('pull', 'bullhorn', 'client', h.now());
      await tx.runs.finish(run.id, 'succeeded', null, null, '2026-03-02T09:30:00.000Z');
    });
  });
  afterAll(async () => h.close());

  it('is 200 with every check when all is well', async () => {
    const r = await h.call('GET', '/health', { token: null });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, checks: { database: { ok: true }, redis: { ok: true } } });
    expect(r.json.systems).toEqual([
      { id: 'bullhorn', kind: 'ats', ok: true, lastPullAt: '2026-03-02T09:30:00.000Z', lastReconcileAt: null },
      { id: 'gusto', kind: 'payroll', ok: true, detail: 'no successful pull yet', lastPullAt: null, lastReconcileAt: null },
    ]);
  });

  it('is 503 when a runtime check fails', async () => {
    redisOk = false;
    const r = await h.call('GET', '/health', { token: null });
    redisOk = true;
    expect(r.status).toBe(503);
    expect(r.json.checks.redis).toEqual({ ok: false, detail: 'no PONG' });
  });

  it('is 503 when the latest pull of a system failed, without the vendor’s error text', async () => {
    await h.store.unitOfWork(async (tx) => {
      const run = await tx.runs.start('pull', 'gusto', null, h.now());
      await tx.runs.finish(run.id, 'failed', null, 'token=abc123 rejected', h.now());
    });
    const r = await h.call('GET', '/health', { token: null });
    expect(r.status).toBe(503);
    expect(r.json.systems[1]).toMatchObject({ id: 'gusto', ok: false, detail: expect.stringMatching(/^last pull failed at /) as unknown });
    expect(r.text).not.toContain('abc123');
  });

  it('is 503 when the database does not answer', async () => {
    h.store.close();
    const r = await h.call('GET', '/health', { token: null });
    expect(r.status).toBe(503);
    expect(r.json.checks.database).toEqual({ ok: false, detail: 'the database did not answer a query' });
    expect(h.log.errors.length).toBeGreaterThan(0);
  });
});

describe('metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ metrics: async () => '# HELP crosswalk_queue_waiting Jobs waiting.\n# TYPE crosswalk_queue_waiting gauge\ncrosswalk_queue_waiting{queue="bullhorn"} 4' });
    await seedWorld(h);
    increment(h.counters.webhookVerifyFailures, 'gusto', 2);
    increment(h.counters.webhookVerifyFailures, 'we"ird\\sys\ntem');
  });
  afterAll(async () => h.close());

  it('serves the text format with HELP and TYPE lines and escaped labels', async () => {
    await h.call('GET', '/api/v1/conflicts', { token: null });
    const r = await h.call('GET', '/metrics', { token: null });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const { types, samples } = parseMetrics(r.text);
    const value = (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

    expect(types.get('crosswalk_conflicts_open')).toBe('gauge');
    expect(value('crosswalk_conflicts_open')).toBe(3);
    expect(types.get('crosswalk_identity_reviews_open')).toBe('gauge');
    expect(value('crosswalk_identity_reviews_open')).toBe(0);
    expect(value('crosswalk_ledger_entries', { outcome: 'conflict' })).toBe(3);
    expect(value('crosswalk_ledger_entries', { outcome: 'failed' })).toBe(0);
    expect(value('crosswalk_outbox_rows', { status: 'pending' })).toBeGreaterThan(0);
    expect(value('crosswalk_inbox_rows', { status: 'pending' })).toBe(0);
    expect(value('crosswalk_links', { state: 'linked' })).toBe(5);
    expect(value('crosswalk_canonical_rows', { entity: 'time_entry' })).toBe(5);
    expect(value('crosswalk_canonical_rows', { entity: 'contact_worksite_role' })).toBe(6);
    expect(types.get('crosswalk_webhook_verify_failures_total')).toBe('counter');
    expect(value('crosswalk_webhook_verify_failures_total', { system: 'gusto' })).toBe(2);
    expect(value('crosswalk_webhook_verify_failures_total', { system: 'bullhorn' })).toBe(0);
    expect(value('crosswalk_webhook_verify_failures_total', { system: 'we"ird\\sys\ntem' })).toBe(1);
    expect(r.text).toContain('system="we\\"ird\\\\sys\\ntem"');
    expect(value('crosswalk_http_responses_total', { method: 'GET', route: '/api/v1/conflicts', status: '401' })).toBe(1);
    expect(value('crosswalk_queue_waiting', { queue: 'bullhorn' })).toBe(4);
    expect(value('crosswalk_metrics_hook_up')).toBe(1);
  });

  it('counts runs by kind and status and reports the last success per system', async () => {
    await h.store.unitOfWork(async (tx) => {
      const run = await tx.runs.start('reconcile', 'bullhorn', null, h.now());
      await tx.runs.finish(run.id, 'succeeded', null, null, '2026-03-02T10:00:00.000Z');
    });
    const { samples } = parseMetrics((await h.call('GET', '/metrics', { token: null })).text);
    expect(samples).toContainEqual({ name: 'crosswalk_runs', labels: { kind: 'reconcile', status: 'succeeded' }, value: 1 });
    expect(samples).toContainEqual({
      name: 'crosswalk_system_last_success_timestamp_seconds', labels: { system: 'bullhorn', kind: 'reconcile' }, value: Date.parse('2026-03-02T10:00:00.000Z') / 1000,
    });
  });
});

describe('sync and reconcile triggers', () => {
  let h: Harness;
  let bare: Harness;
  const calls: unknown[] = [];
  beforeAll(async () => {
    h = await startHarness({
      triggerSync: async (system, entity, full) => {
        calls.push({ system, entity, full });
        return { runId: 'run-1', jobIds: [`pull:${system}:${entity ?? '*'}`] };
      },
      triggerReconcile: async (system, entity) => {
        calls.push({ system, entity });
        return { jobIds: [`reconcile:${system}`] };
      },
    });
    bare = await startHarness();
  });
  afterAll(async () => {
    await h.close();
    await bare.close();
  });

  it('queues through the hook and answers 202', async () => {
    const sync = await h.call('POST', '/api/v1/systems/bullhorn/sync', { body: { entity: 'client', full: true } });
    expect(sync.status).toBe(202);
    expect(sync.json).toEqual({ data: { runId: 'run-1', jobIds: ['pull:bullhorn:client'] } });
    const empty = await h.call('POST', '/api/v1/systems/gusto/sync');
    expect(empty.status).toBe(202);
    const rec = await h.call('POST', '/api/v1/systems/gusto/reconcile', { body: {} });
    expect(rec.json).toEqual({ data: { jobIds: ['reconcile:gusto'] } });
    expect(calls).toEqual([{ system: 'bullhorn', entity: 'client', full: true }, { system: 'gusto', entity: null, full: false }, { system: 'gusto', entity: null }]);
  });

  it('answers 404 for an unknown system and 400 for a bad body', async () => {
    const r = await h.call('POST', '/api/v1/systems/workday/sync');
    expect(r.status).toBe(404);
    expect(r.json.error.message).toContain('configured: bullhorn, gusto');
    expect((await h.call('POST', '/api/v1/systems/bullhorn/sync', { body: { entity: 'payslip' } })).status).toBe(400);
    expect((await h.call('POST', '/api/v1/systems/bullhorn/reconcile', { body: { full: true } })).status).toBe(400);
  });

  it('answers 501 with a clear message when the runtime provides no hook', async () => {
    const r = await bare.call('POST', '/api/v1/systems/bullhorn/sync');
    expect(r.status).toBe(501);
    expect(r.json.error).toEqual({ code: 'not_implemented', message: 'sync triggers need the queue runtime, and this server was started without it' });
    expect((await bare.call('POST', '/api/v1/systems/bullhorn/reconcile')).status).toBe(501);
  });
});

describe('OpenAPI document', () => {
  let h: Harness;
  let doc: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- a JSON document walked by path
  beforeAll(async () => {
    h = await startHarness({
      mount: (app, api) => {
        app.get('/outside', (c) => c.text('not part of the API'));
        api.route({
          method: 'post', path: '/api/v1/extra/:name', operationId: 'extra', summary: 'a route the runtime adds', tag: 'extra', access: 'records.read',
          params: z.strictObject({ name: z.string() }), body: z.strictObject({ n: z.number() }),
          responses: { 200: { description: 'ok' } }, handler: (_i, c) => c.json({}),
        });
      },
    });
    const r = await h.call('GET', '/api/v1/openapi.json');
    expect(r.status).toBe(200);
    doc = r.json;
  });
  afterAll(async () => h.close());

  it('is OpenAPI 3.1 with the bearer scheme and the error envelope', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    expect(doc.components.schemas.Error.properties.error.required).toEqual(['code', 'message']);
  });

  it('covers every route registered through the API, and nothing else', () => {
    // The sign-in and approval-link pages (a link's confirmation form, its POST, logout) are HTML for a browser, served
    // outside /api/v1 like the console and the webhooks: not API operations, so not in the document.
    const browserPages = ['GET /auth/magic-link', 'POST /auth/magic-link', 'POST /auth/logout', 'GET /approve/time-entry', 'POST /approve/time-entry'];
    const all = h.app.routes.filter((r) => r.method !== 'ALL' && r.path !== '/outside');
    expect(all.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(browserPages));
    const registered = all.filter((r) => !browserPages.includes(`${r.method} ${r.path}`));
    expect(registered.length).toBe(h.app.apiRoutes.length);
    expect(registered.length).toBeGreaterThan(40);
    // Public: no principal needed. Exactly these; every other operation needs a bearer token.
    const PUBLIC = ['GET /health', 'GET /metrics', 'GET /api/v1/openapi.json', 'POST /api/v1/auth/magic-link'];
    expect(h.app.apiRoutes.filter((r) => r.access === 'public').map((r) => `${r.method.toUpperCase()} ${r.path}`).sort()).toEqual([...PUBLIC].sort());
    for (const route of registered) {
      const op = doc.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      for (const param of route.path.match(/:([A-Za-z0-9_]+)/g) ?? []) {
        expect(op.parameters).toContainEqual(expect.objectContaining({ name: param.slice(1), in: 'path', required: true }));
      }
      expect(op.responses['400'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
      expect(op.responses['500']).toBeDefined();
      const isPublic = PUBLIC.includes(`${route.method} ${route.path}`);
      expect(op.security, `${route.method} ${route.path}`).toEqual(isPublic ? [] : [{ bearer: [] }, { session: [] }]);
      if (!isPublic) expect(op.responses['401'], `${route.method} ${route.path}`).toBeDefined();
    }
    const documented = Object.values(doc.paths as Record<string, object>).reduce<number>((n, ops) => n + Object.keys(ops).length, 0);
    expect(documented).toBe(registered.length);
    expect(doc.paths['/outside']).toBeUndefined();
    expect(doc.paths['/api/v1/extra/{name}'].post.requestBody.content['application/json'].schema.required).toEqual(['n']);
  });

  it('documents query filters, bodies and responses from the validating schemas', () => {
    const list = doc.paths['/api/v1/records/time_entry'].get;
    const param = (name: string) => list.parameters.find((p: { name: string }) => p.name === name);
    expect(param('status').schema.enum).toEqual(['draft', 'submitted', 'approved', 'rejected', 'exported', 'invoiced']);
    expect(param('limit')).toMatchObject({ required: false, schema: { type: 'integer', maximum: 500, default: 50 } });
    expect(param('includeDeleted').schema.type).toBe('boolean');
    expect(param('approvedById').schema.anyOf).toContainEqual({ type: 'null' });
    expect(param('approvedById').description).toContain('approvedById');
    expect(param('regularHours').schema.type).toBe('number');
    const item = list.responses['200'].content['application/json'].schema.properties.data.items;
    // Bookkeeping is always there; the entity's fields are documented but optional, since a field the
    // caller may not see (a pay rate, for a contact) is left out of the response rather than nulled.
    expect(item.required).toEqual(expect.arrayContaining(['id', 'revision', 'deletedAt']));
    expect(item.required).not.toContain('status');
    expect(item.properties).toHaveProperty('status.enum', ['draft', 'submitted', 'approved', 'rejected', 'exported', 'invoiced']);
    expect(item.properties).toHaveProperty('regularHours');
    expect(item.additionalProperties).toBe(false);

    const approve = doc.paths['/api/v1/time-entries/{id}/approve'].post;
    const body = approve.requestBody.content['application/json'].schema;
    // No body names its actor: the approver is the authenticated principal.
    expect(body).toMatchObject({ type: 'object', additionalProperties: false });
    expect(Object.keys(body.properties)).toEqual(['comment']);
    const bodyOf = (path: string) => doc.paths[path].post.requestBody.content['application/json'].schema;
    expect(bodyOf('/api/v1/time-entries/{id}/reject')).toMatchObject({ additionalProperties: false, required: ['comment'] });
    expect(bodyOf('/api/v1/time-entries/{id}/reject').properties).not.toHaveProperty('contactId');
    expect(bodyOf('/api/v1/time-entries/{id}/submit').properties).not.toHaveProperty('by');
    expect(bodyOf('/api/v1/requisitions').properties).not.toHaveProperty('requestedById');
    expect(bodyOf('/api/v1/requisitions').required).not.toContain('clientId');
    expect(Object.keys(approve.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '413', '415', '422', '500']);
    expect(doc.paths['/api/v1/requisitions'].post.requestBody.content['application/json'].schema.properties).not.toHaveProperty('payRateCents');
    expect(doc.paths['/api/v1/systems/{id}/sync'].post.requestBody.required).toBe(false);
    expect(doc.paths['/metrics'].get.responses['200'].content).toHaveProperty(['text/plain; version=0.0.4; charset=utf-8']);
  });
});
