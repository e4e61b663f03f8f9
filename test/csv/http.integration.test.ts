import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGrant, createUser } from '../../src/access/admin.ts';
import { createApiKey } from '../../src/access/credentials/api-keys.ts';
import { mountCsvRoutes } from '../../src/csv/http.ts';
import type { ImportReport } from '../../src/csv/report.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer, type ServerHandle } from '../../src/http/server.ts';
import { timeCsv, weekdays } from './support/files.ts';
import { CORPUS_DIR, T0, worldFrom, worldTemplate, type World, type WorldTemplate } from './support/world.ts';

/** The bootstrap admin token: it only creates the first ops user, so the calls here use real keys. */
const TOKEN = 'csv-test-admin-token-51d0-7c2e9a04b8f3d6';
const UPLOAD_LIMIT = 64 * 1024;
let template: WorldTemplate;
let world: World;
let server: ServerHandle;
/** Keys of users: ops_admin (what the calls send), billing (may import and export), coordinator (may not). */
const keys = { ops: '', billing: '', coordinator: '' };

beforeAll(async () => {
  template = await worldTemplate({ timeEntries: true });
  world = worldFrom(template);
  const deps = {
    store: world.store, engine: world.engine, mappings: world.mappings, policy: world.policy,
    limits: { maxFileBytes: UPLOAD_LIMIT }, tempDir: world.temp.dir, now: () => T0,
  };
  // Mounted the way serve mounts it: under /api/v1, behind the API's own bearer check, documented in its OpenAPI.
  const app = createApp({ store: world.store, policy: world.policy, adminToken: TOKEN, systems: [], now: () => T0, mount: (a, api) => mountCsvRoutes(a, api, deps) });
  server = await startServer(app, { host: '127.0.0.1', port: 0 });
  for (const role of ['ops_admin', 'billing', 'coordinator'] as const) {
    const key = await world.store.unitOfWork(async (tx) => {
      const user = await createUser(tx, { email: `${role}@staff.example.test`, role }, T0);
      // The billing team holds a grant on every client: imports and exports cross clients.
      if (role === 'billing') await createGrant(tx, { subjectKind: 'user', subjectId: user.id, role: 'billing' }, 'test', T0);
      return (await createApiKey(tx, {
        name: role, ownerKind: 'user', ownerId: user.id, role: null, scopes: ['read', 'write'], clientId: null, worksiteId: null, expiresAt: null, createdBy: 'test',
      }, T0)).key;
    });
    keys[role === 'ops_admin' ? 'ops' : role] = key;
  }
  auth.authorization = `Bearer ${keys.ops}`;
});
afterAll(async () => {
  await server.close();
  world.dispose();
  template.dispose();
});

const auth = { authorization: '' }; // the ops key, once beforeAll made it

function form(fields: Record<string, string>, file?: { name: string; data: string | Buffer }): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  if (file) f.append('file', new Blob([file.data], { type: 'text/csv' }), file.name);
  return f;
}

interface Reply {
  data: ImportReport;
  error: { code: string; message: string; details?: Array<{ path: string; message: string }> };
}

async function upload(fields: Record<string, string>, file?: { name: string; data: string | Buffer }, headers: Record<string, string> = auth) {
  const res = await fetch(`${server.url}/api/v1/imports`, { method: 'POST', headers, body: form(fields, file) });
  return { status: res.status, body: (await res.json()) as Reply };
}

async function get(path: string, init: RequestInit = {}) {
  const res = await fetch(`${server.url}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

const hours = timeCsv(weekdays('2026-11-23', 3).map((date) => ({ placement: 'asg-000003', date, note: '=cmd|x' })));

describe('POST /api/v1/imports (multipart)', () => {
  it('imports an upload (201), and the same bytes again are already imported (200), writing nothing', async () => {
    const first = await upload({ kind: 'time_entries' }, { name: 'hours.csv', data: hours });
    expect(first.status).toBe(201);
    expect(first.body.data).toMatchObject({ status: 'succeeded', system: 'csv:billing', kind: 'time_entries', file: { name: 'hours.csv', encoding: 'utf-8' }, rows: { total: 3, imported: 3 } });
    const ledger = world.store.db.prepare('SELECT count(*) FROM ledger').pluck().get();
    const again = await upload({ kind: 'time_entries' }, { name: 'copy.csv', data: hours });
    expect(again.status).toBe(200);
    expect(again.body.data.status).toBe('already_imported');
    expect(again.body.data.alreadyImported?.importId).toBe(first.body.data.importId);
    expect(world.store.db.prepare('SELECT count(*) FROM ledger').pluck().get()).toBe(ledger);
  });

  it('a dry run answers 200 with what would happen', async () => {
    const res = await upload({ kind: 'time_entries', dryRun: 'true' }, { name: 'x.csv', data: timeCsv([{ placement: 'asg-000005', date: '11/23/2026' }]) });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ dryRun: true, importId: null, counts: { time_entry: { created: 1 } } });
  });

  it('a 0-byte upload is refused with 422 and the reason', async () => {
    const res = await upload({ kind: 'time_entries' }, { name: 'empty.csv', data: '' });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: { code: 'invalid', message: 'refused: the file is empty (0 bytes)', details: [{ path: 'body.file', message: 'the file is empty (0 bytes)' }] } });
  });

  it('a file of the corpus with row errors is imported (201) and its errors download as neutralised CSV', async () => {
    const data = readFileSync(join(CORPUS_DIR, 'formulas/input.csv'));
    const res = await upload({ kind: 'time_entries' }, { name: 'formulas.csv', data });
    expect(res.status).toBe(201);
    expect(res.body.data.errors).toEqual([{ line: 5, column: 'Reg Hrs', value: '=8', reason: '"=8" is not a number' }]);
    const csv = await get(`/api/v1/imports/${res.body.data.importId as string}/errors.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.bytes.toString('utf8')).toBe('\ufeffline,column,value,reason\r\n5,Reg Hrs,\'=8,"""=8"" is not a number"\r\n');
    const detail = await get(`/api/v1/imports/${res.body.data.importId as string}`);
    const json = JSON.parse(detail.bytes.toString('utf8')) as { data: { status: string; errorCount: number; report: { rows: unknown } } };
    expect(json.data).toMatchObject({ status: 'succeeded', errorCount: 1, report: { rows: { total: 4, imported: 3, withErrors: 1 } } });
    const list = JSON.parse((await get('/api/v1/imports?limit=2')).bytes.toString('utf8')) as { data: unknown[]; next: string | null };
    expect(list.data).toHaveLength(2);
    expect(list.next).not.toBeNull();
  });

  it('refuses what it cannot take: no file, a bad kind, not multipart, too large, no token', async () => {
    expect((await upload({ kind: 'time_entries' })).body).toMatchObject({ error: { code: 'invalid_request', message: 'send the CSV in a part named "file"' } });
    const badKind = await upload({ kind: 'payslips' }, { name: 'x.csv', data: hours });
    expect(badKind.status).toBe(400);
    expect(badKind.body.error.details?.[0]?.path).toBe('body.kind');
    const json = await fetch(`${server.url}/api/v1/imports`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(415);
    // Refused on its declared length, before a byte is read…
    const big = await upload({ kind: 'time_entries' }, { name: 'big.csv', data: Buffer.alloc(UPLOAD_LIMIT * 2, 0x61) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    // …and one byte over, inside the framing slack, by counting the file part as it streams in.
    const justOver = await upload({ kind: 'time_entries' }, { name: 'big.csv', data: Buffer.alloc(UPLOAD_LIMIT + 1, 0x61) });
    expect(justOver.status).toBe(413);
    expect(justOver.body.error.message).toBe(`the file is larger than ${UPLOAD_LIMIT} bytes (limit maxFileBytes)`);
    const anonymous = await upload({ kind: 'time_entries' }, { name: 'x.csv', data: hours }, {});
    expect(anonymous.status).toBe(401);
    // Who may: ops admins and billing users; not the bootstrap token, not a coordinator.
    const bootstrap = await upload({ kind: 'time_entries' }, { name: 'x.csv', data: hours }, { authorization: `Bearer ${TOKEN}` });
    expect(bootstrap.status).toBe(403);
    expect(bootstrap.body.error.code).toBe('forbidden');
    const coordinator = await upload({ kind: 'time_entries' }, { name: 'x.csv', data: hours }, { authorization: `Bearer ${keys.coordinator}` });
    expect(coordinator.status).toBe(403);
    expect(coordinator.body.error.message).toBe('role coordinator may not do this');
    const billing = await upload({ kind: 'time_entries', dryRun: 'true' }, { name: 'x.csv', data: timeCsv([{ placement: 'asg-000005', date: '11/23/2026' }]) }, { authorization: `Bearer ${keys.billing}` });
    expect(billing.status).toBe(200);
  });
});

describe('exports over HTTP', () => {
  const period = '2026-11-09..2026-11-15';

  it('GET /exports/time previews without marking; POST writes the file and marks; the run downloads again', async () => {
    const approved = () => world.store.db.prepare("SELECT count(*) FROM time_entries WHERE status = 'approved' AND work_date BETWEEN '2026-11-09' AND '2026-11-15'").pluck().get() as number;
    const before = approved();
    expect(before).toBeGreaterThan(0);
    const preview = await get(`/api/v1/exports/time?format=gusto&period=${period}`);
    expect(preview.status).toBe(200);
    expect(approved()).toBe(before);
    const res = await fetch(`${server.url}/api/v1/exports/time`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ format: 'gusto', period }) });
    expect(res.status).toBe(201);
    const file = Buffer.from(await res.arrayBuffer());
    expect(file.equals(preview.bytes)).toBe(true);
    expect(approved()).toBe(0);
    const runId = res.headers.get('x-crosswalk-run') as string;
    const again = await get(`/api/v1/exports/time/runs/${runId}`);
    expect(again.bytes.equals(file)).toBe(true);
    const rows: string[][] = parse(file, { bom: true });
    expect(rows[0]?.[0]).toBe('first_name');
    const second = await fetch(`${server.url}/api/v1/exports/time`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ format: 'gusto', period }) });
    expect(parse(Buffer.from(await second.arrayBuffer()), { bom: true })).toHaveLength(1);
  });

  it('validates queries and bodies with the error envelope', async () => {
    const bad = await get('/api/v1/exports/time?format=gusto&period=last-week');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.bytes.toString('utf8'))).toMatchObject({ error: { code: 'invalid_request', details: [{ path: 'query.period' }] } });
    expect((await get('/api/v1/exports/entities/payslip')).status).toBe(400);
    expect((await get('/api/v1/exports/time/runs/not-a-run')).status).toBe(404);
    expect((await get('/api/v1/exports/entities/candidate', { headers: { authorization: `Bearer ${keys.coordinator}` } })).status).toBe(403);
    expect((await get('/api/v1/exports/entities/candidate', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(403);
  });

  it('streams entity exports and the invoice register', async () => {
    const candidates = await get('/api/v1/exports/entities/candidate');
    expect(candidates.status).toBe(200);
    expect(candidates.headers.get('content-disposition')).toBe('attachment; filename="candidate.csv"');
    const rows: string[][] = parse(candidates.bytes, { bom: true });
    expect(rows[0]).toEqual(['id', 'firstName', 'lastName', 'status']);
    expect(rows).toHaveLength(template.dataset.candidates.length + 1);
    const internal: string[][] = parse((await get('/api/v1/exports/entities/assignment_rate?internal=true')).bytes, { bom: true });
    expect(internal[0]).toContain('payRateCents');
    const invoices: string[][] = parse((await get('/api/v1/exports/invoices?period=2026-11-01..2026-11-30')).bytes, { bom: true });
    expect(invoices[0]?.[0]).toBe('Invoice #');
  });
});

describe('the CSV routes in the OpenAPI document', () => {
  it('lists each with its parameters, the multipart upload and CSV responses', async () => {
    const r = await get('/api/v1/openapi.json');
    expect(r.status).toBe(200);
    const doc = JSON.parse(r.bytes.toString('utf8')) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const ops = (path: string) => Object.keys(doc.paths[path] ?? {}).sort();
    expect(ops('/api/v1/imports')).toEqual(['get', 'post']);
    expect(ops('/api/v1/imports/{id}')).toEqual(['get']);
    expect(ops('/api/v1/imports/{id}/errors.csv')).toEqual(['get']);
    expect(ops('/api/v1/exports/time')).toEqual(['get', 'post']);
    expect(ops('/api/v1/exports/time/runs/{id}')).toEqual(['get']);
    expect(ops('/api/v1/exports/invoices')).toEqual(['get']);
    expect(ops('/api/v1/exports/entities/{entity}')).toEqual(['get']);
    const upload = doc.paths['/api/v1/imports']?.['post'] as { requestBody: { content: Record<string, { schema: { properties: Record<string, { enum?: string[]; format?: string }>; required: string[] } }> } };
    const form = upload.requestBody.content['multipart/form-data']?.schema;
    expect(form?.required).toEqual(expect.arrayContaining(['kind', 'file']));
    expect(form?.properties['kind']?.enum).toContain('time_entries');
    expect(form?.properties['file']?.format).toBe('binary');
    const preview = doc.paths['/api/v1/exports/time']?.['get'] as { parameters: Array<{ name: string; required: boolean }>; responses: Record<string, { content?: Record<string, unknown> }> };
    expect(preview.parameters.map((p) => [p.name, p.required])).toEqual([['format', true], ['period', true], ['includeExported', false]]);
    expect(Object.keys(preview.responses['200']?.content ?? {})).toEqual(['text/csv; charset=utf-8']);
    expect(doc.paths['/api/v1/exports/entities/{entity}']?.['get']).toMatchObject({ security: [{ bearer: [] }, { session: [] }] });
  });
});
