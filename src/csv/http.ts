import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { Engine, SyncPolicy } from '../engine/index.ts';
import { can, needsEverywhere, NOT_EVERYWHERE } from '../access/policy.ts';
import { accessFor } from '../http/caller.ts';
import { readJsonBody } from '../http/body.ts';
import type { HttpLogger } from '../http/deps.ts';
import type { AppEnv } from '../http/env.ts';
import { ApiError, errorResponse } from '../http/errors.ts';
import { auditActionOf, type RegisteredRoute, type RouteRegistrar } from '../http/route.ts';
import { silentLogger } from '../lib/logger.ts';
import type { MappingRegistry } from '../mapping/index.ts';
import { ENTITY_NAMES, Id } from '../model/index.ts';
import type { Store } from '../store/index.ts';
import { writeImportErrors } from './errors-csv.ts';
import { exportEntity } from './export-entity.ts';
import { exportInvoices } from './export-invoices.ts';
import { exportTime, exportTimeRun, parsePeriod, type Period } from './export-time.ts';
import { importCsv } from './import.ts';
import { IMPORT_KINDS } from './kinds.ts';
import { resolveLimits, type ImportLimits } from './limits.ts';
import { MultipartError, readMultipart } from './multipart.ts';
import { isPayrollFormat, PAYROLL_FORMATS, type AdpOptions } from './payroll.ts';
import { parseInput as parse, singleQuery as queryOf } from '../http/raw-input.ts';

export interface CsvRouteDeps {
  readonly store: Store;
  readonly engine: Engine;
  /** The loaded mappings (the CSV ones are used). */
  readonly mappings: MappingRegistry;
  /** For marking exported time (ownership and fan-out). */
  readonly policy: SyncPolicy;
  /** `maxFileBytes` should be the configured upload limit (`http.uploadBodyLimit`). */
  readonly limits?: Partial<ImportLimits>;
  /** Where uploads are spooled. @defaultValue the OS temp folder */
  readonly tempDir?: string;
  readonly now?: () => string;
  readonly log?: HttpLogger;
  /** Company code and double-time code for ADP files. */
  readonly adp?: AdpOptions;
  /** The systems whose links carry payroll ids, by format. @defaultValue the format's name */
  readonly payrollSystems?: Readonly<Record<string, string>>;
}

const Source = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'a CSV source name such as billing');
const Bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const PeriodText = z.string().transform((text, ctx): Period => {
  const p = parsePeriod(text);
  if ('error' in p) {
    ctx.addIssue({ code: 'custom', message: p.error });
    return z.NEVER;
  }
  return p;
});

const UploadFields = z.strictObject({
  kind: z.enum(IMPORT_KINDS),
  source: Source.optional(),
  dryRun: Bool.optional(),
});
const ListQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50), before: Id.optional() });
const PayrollFormatText = z.string().refine(isPayrollFormat, { message: `must be one of ${PAYROLL_FORMATS.join(', ')}` });
const TimeQuery = z.strictObject({ format: PayrollFormatText, period: PeriodText, includeExported: Bool.optional() });
const TimeBody = z.strictObject({
  format: PayrollFormatText,
  period: PeriodText,
  includeExported: z.boolean().optional(),
  companyCode: z.string().min(1).max(10).optional(),
});
const InvoiceQuery = z.strictObject({ period: PeriodText.optional() });
const EntityQuery = z.strictObject({ internal: Bool.optional() });
const IdParam = z.strictObject({ id: Id });
const EntityParam = z.strictObject({ entity: z.enum(ENTITY_NAMES) });

const CSV_TYPE = 'text/csv; charset=utf-8';
/** The export request is a few fields; nothing bigger is read. */
const JSON_BODY_LIMIT = 16 * 1024;

function attachment(name: string): Record<string, string> {
  return { 'Content-Type': CSV_TYPE, 'Content-Disposition': `attachment; filename="${name}"` };
}

/** A CSV response streamed as it is written; a failure after the first byte ends the stream. */
function streamed(c: Context<AppEnv>, name: string, write: (out: Writable) => Promise<unknown>, log: HttpLogger): Response {
  const pass = new PassThrough();
  write(pass).catch((err: unknown) => {
    log.error({ err }, 'CSV export failed while streaming');
    pass.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  return c.body(Readable.toWeb(pass) as ReadableStream<Uint8Array>, 200, attachment(name));
}

/** A CSV written to memory first: for files that change state, so a failure still gets a status. */
async function buffered(write: (out: Writable) => Promise<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  await write(sink);
  return Buffer.concat(chunks);
}

/**
 * The CSV fallback over HTTP, as a hono sub-app to mount under `/api/v1`:
 * - `POST /imports` (multipart: `file`, `kind`, optional `source`, `dryRun`) → the import report;
 * - `GET /imports`, `GET /imports/:id`, `GET /imports/:id/errors.csv`;
 * - `GET /exports/time?format&period[&includeExported]` previews a payroll file (marks nothing);
 * - `POST /exports/time` `{ format, period, includeExported?, companyCode? }` writes it and marks
 *   each entry exported once; `GET /exports/time/runs/:id` downloads a past run's file again;
 * - `GET /exports/invoices[?period]`, `GET /exports/entities/:entity[?internal=true]`.
 * A GET never changes anything: a retried or prefetched download cannot mark time exported.
 */
export function csvRoutes(deps: CsvRouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const log = deps.log ?? silentLogger();
  const limits = resolveLimits(deps.limits);
  // The principal comes from the API's authentication middleware (this app is mounted under /api/v1).
  // Each route is guarded by the policy action its document names, and audited the same way.
  for (const doc of csvRouteDocs()) {
    const relative = doc.path.replace(/^\/api\/v1/, '');
    app.on(doc.method.toUpperCase(), relative, async (c, next) => {
      const principal = c.get('principal') ?? null;
      const audit = auditActionOf(doc);
      const targetId = c.req.param('id') ?? null;
      if (audit !== null) c.set('audit', { action: audit.action, targetType: audit.targetType ?? null, targetId });
      let decision = can(principal, doc.access);
      // Imports and exports cover every client: a caller granted only some clients may not use them.
      if (decision.ok && principal !== null && needsEverywhere(doc.access) && !(await accessFor(c, deps.store.repos, new Date().toISOString())).everything) {
        decision = { ok: false, reason: NOT_EVERYWHERE };
      }
      if (!decision.ok) {
        c.set('audit', { action: audit?.action ?? doc.operationId, targetType: audit?.targetType ?? null, targetId, reason: decision.reason });
        if (principal === null) throw new ApiError('unauthorized', 'sign in: send Authorization: Bearer <token> or a session cookie');
        throw new ApiError('forbidden', decision.reason);
      }
      await next();
    });
  }
  app.onError((err, c) => {
    if (err instanceof MultipartError) {
      const code = err.status === 413 ? 'payload_too_large' : err.status === 415 ? 'unsupported_media_type' : 'invalid_request';
      return errorResponse(new ApiError(code, err.message), c, log);
    }
    return errorResponse(err, c, log);
  });

  app.post('/imports', async (c) => {
    parse(z.strictObject({}), queryOf(c), 'query');
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    // Multipart framing adds a few hundred bytes; anything well past the file limit is refused unread.
    if (Number.isFinite(declared) && declared > limits.maxFileBytes + 64 * 1024) {
      throw new ApiError('payload_too_large', `the upload is larger than ${limits.maxFileBytes} bytes (limit maxFileBytes)`);
    }
    const dir = await mkdtemp(join(deps.tempDir ?? tmpdir(), 'crosswalk-upload-'));
    try {
      const body = await readMultipart(c.req.raw.body, c.req.header('content-type'), dir, { fileBytes: limits.maxFileBytes });
      const fields = parse(UploadFields, body.fields, 'body');
      if (body.file === null) throw new ApiError('invalid_request', 'send the CSV in a part named "file"', [{ path: 'body.file', message: 'required' }]);
      const report = await importCsv({
        store: deps.store, engine: deps.engine, mappings: deps.mappings, kind: fields.kind, path: body.file.path,
        fileName: body.file.name ?? 'upload.csv', limits, tempDir: dir,
        ...(fields.source === undefined ? {} : { source: fields.source }),
        ...(fields.dryRun === undefined ? {} : { dryRun: fields.dryRun }),
        ...(deps.now === undefined ? {} : { now: deps.now }),
      });
      if (report.status === 'refused') {
        const refusal = report.refusal;
        const code = refusal?.code === 'too_large' ? 'payload_too_large' : refusal?.code === 'no_mapping' || refusal?.code === 'unknown_kind' ? 'invalid_request' : 'invalid';
        throw new ApiError(code, report.message, [{ path: 'body.file', message: refusal?.line ? `line ${refusal.line}: ${refusal.message}` : (refusal?.message ?? 'refused') }]);
      }
      if (report.status === 'in_progress') throw new ApiError('refused', report.message);
      if (report.status === 'failed') throw new ApiError('invalid', report.message);
      return c.json({ data: report }, report.status === 'succeeded' && !report.dryRun ? 201 : 200);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  app.get('/imports', async (c) => {
    const q = parse(ListQuery, queryOf(c), 'query');
    const rows = await deps.store.repos.imports.list({ limit: q.limit + 1, ...(q.before === undefined ? {} : { before: q.before }) });
    const page = rows.slice(0, q.limit);
    return c.json({ data: page, next: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null });
  });

  app.get('/imports/:id', async (c) => {
    const { id } = parse(IdParam, c.req.param(), 'params');
    parse(z.strictObject({}), queryOf(c), 'query');
    const row = await deps.store.repos.imports.get(id);
    if (!row) throw new ApiError('not_found', `import ${id} not found`);
    const run = row.runId === null ? null : await deps.store.repos.runs.get(row.runId);
    return c.json({ data: { ...row, report: run?.report ?? null } });
  });

  app.get('/imports/:id/errors.csv', async (c) => {
    const { id } = parse(IdParam, c.req.param(), 'params');
    parse(z.strictObject({}), queryOf(c), 'query');
    const row = await deps.store.repos.imports.get(id);
    if (!row) throw new ApiError('not_found', `import ${id} not found`);
    return streamed(c, `import-${id}-errors.csv`, (out) => writeImportErrors(deps.store, id, out), log);
  });

  app.get('/exports/time', async (c) => {
    const q = parse(TimeQuery, queryOf(c), 'query');
    const file = await buffered((out) =>
      exportTime(deps.store, deps.policy, {
        format: q.format, period: q.period, dryRun: true, includeExported: q.includeExported ?? false,
        ...payrollOptions(deps, q.format, undefined),
      }, out),
    );
    return c.body(new Uint8Array(file), 200, attachment(`time-${q.format}-${q.period.from}-preview.csv`));
  });

  app.post('/exports/time', async (c) => {
    parse(z.strictObject({}), queryOf(c), 'query');
    const body = parse(TimeBody, await readJsonBody(c, JSON_BODY_LIMIT), 'body');
    let runId: string | null = null;
    const file = await buffered(async (out) => {
      const result = await exportTime(deps.store, deps.policy, {
        format: body.format, period: body.period, includeExported: body.includeExported ?? false,
        ...payrollOptions(deps, body.format, body.companyCode), ...(deps.now === undefined ? {} : { now: deps.now }),
      }, out);
      runId = result.runId;
    });
    return c.body(new Uint8Array(file), 201, { ...attachment(`time-${body.format}-${body.period.from}.csv`), 'X-Crosswalk-Run': runId ?? '' });
  });

  app.get('/exports/time/runs/:id', async (c) => {
    const { id } = parse(IdParam, c.req.param(), 'params');
    parse(z.strictObject({}), queryOf(c), 'query');
    const file = await buffered((out) => exportTimeRun(deps.store, id, out));
    return c.body(new Uint8Array(file), 200, attachment(`time-run-${id}.csv`));
  });

  app.get('/exports/invoices', async (c) => {
    const q = parse(InvoiceQuery, queryOf(c), 'query');
    return streamed(c, 'invoice-register.csv', (out) => exportInvoices(deps.store, q.period === undefined ? {} : { period: q.period }, out), log);
  });

  app.get('/exports/entities/:entity', async (c) => {
    const { entity } = parse(EntityParam, c.req.param(), 'params');
    const q = parse(EntityQuery, queryOf(c), 'query');
    return streamed(c, `${entity}.csv`, (out) => exportEntity(deps.store, { entity, internal: q.internal ?? false }, out), log);
  });

  return app;
}

/** Mounts the CSV routes under `/api/v1` and documents each in the API's OpenAPI document. */
/** The one route that takes a large body (a CSV upload): the HTTP server gives it `http.uploadTimeoutMs`. */
export function isCsvUpload(method: string, path: string): boolean {
  return method === 'POST' && path.replace(/\/+$/, '') === '/api/v1/imports';
}

export function mountCsvRoutes(app: Hono<AppEnv>, api: RouteRegistrar, deps: CsvRouteDeps): void {
  app.route('/api/v1', csvRoutes(deps));
  for (const doc of csvRouteDocs()) api.describe(doc);
}

const AnyData = z.object({ data: z.record(z.string(), z.unknown()) });
const CsvFile = { description: 'a CSV file (UTF-8 with BOM, RFC 4180)', contentType: CSV_TYPE, schema: z.string() };

/** The CSV routes as the OpenAPI document shows them, from the schemas above. */
export function csvRouteDocs(): RegisteredRoute[] {
  const doc = (d: Omit<RegisteredRoute, 'tag'>): RegisteredRoute => ({ tag: 'csv', ...d });
  return [
    doc({
      method: 'post', path: '/api/v1/imports', operationId: 'importCsv', access: 'csv.import', audit: { action: 'csv.import', targetType: 'import' }, summary: 'Import a CSV file (exactly once; dryRun=true writes nothing)',
      description: 'Multipart upload: a part named `file` and the fields below. 201 with the import report when rows were committed; 200 for a dry run or a file already imported.',
      body: UploadFields.extend({ file: z.file() }), bodyContentType: 'multipart/form-data',
      errors: ['payload_too_large', 'unsupported_media_type', 'invalid', 'refused'],
      responses: { 200: { description: 'dry run, or the file was already imported', schema: AnyData }, 201: { description: 'the import report', schema: AnyData } },
    }),
    doc({
      method: 'get', path: '/api/v1/imports', operationId: 'listImports', access: 'csv.import', summary: 'CSV imports, newest first', query: ListQuery,
      responses: { 200: { description: 'a page of imports', schema: z.object({ data: z.array(z.record(z.string(), z.unknown())), next: z.string().nullable() }) } },
    }),
    doc({
      method: 'get', path: '/api/v1/imports/:id', operationId: 'getImport', access: 'csv.import', summary: 'One import with its report', params: IdParam,
      errors: ['not_found'], responses: { 200: { description: 'the import', schema: AnyData } },
    }),
    doc({
      method: 'get', path: '/api/v1/imports/:id/errors.csv', operationId: 'getImportErrors', access: 'csv.import', summary: "An import's rejected rows with line, column and reason",
      params: IdParam, errors: ['not_found'], responses: { 200: CsvFile },
    }),
    doc({
      method: 'get', path: '/api/v1/exports/time', operationId: 'previewTimeExport', access: 'csv.export', audit: { action: 'time_entry.export_preview', targetType: 'time_entry' }, summary: 'Preview a payroll file of approved time (marks nothing)',
      query: TimeQuery, responses: { 200: CsvFile },
    }),
    doc({
      method: 'post', path: '/api/v1/exports/time', operationId: 'exportTime', access: 'csv.export', audit: { action: 'time_entry.export', targetType: 'run' }, summary: 'Write a payroll file and mark each entry exported once',
      description: 'The run id is in the `X-Crosswalk-Run` header; `GET /api/v1/exports/time/runs/{id}` downloads the same file again.',
      body: TimeBody, responses: { 201: CsvFile },
    }),
    doc({
      method: 'get', path: '/api/v1/exports/time/runs/:id', operationId: 'getTimeExportRun', access: 'csv.export', audit: { action: 'time_entry.export_download', targetType: 'run' }, summary: "A past export run's file, again",
      params: IdParam, errors: ['not_found'], responses: { 200: CsvFile },
    }),
    doc({
      method: 'get', path: '/api/v1/exports/invoices', operationId: 'exportInvoices', access: 'csv.export', audit: { action: 'invoice.export', targetType: 'invoice' }, summary: 'The invoice register', query: InvoiceQuery,
      responses: { 200: CsvFile },
    }),
    doc({
      method: 'get', path: '/api/v1/exports/entities/:entity', operationId: 'exportEntity', access: 'csv.export', audit: { action: 'entity.export', targetType: 'entity' }, summary: 'Any canonical entity as CSV',
      params: EntityParam, query: EntityQuery, responses: { 200: CsvFile },
    }),
  ];
}

function payrollOptions(deps: CsvRouteDeps, format: string, companyCode: string | undefined) {
  const adp: AdpOptions = { ...deps.adp, ...(companyCode === undefined ? {} : { companyCode }) };
  const system = deps.payrollSystems?.[format];
  return { adp, ...(system === undefined ? {} : { payrollSystem: system }) };
}
