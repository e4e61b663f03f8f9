import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { importCsv } from '../../../csv/import.ts';
import { IMPORT_KINDS } from '../../../csv/kinds.ts';
import type { ImportReport } from '../../../csv/report.ts';
import { writeErrorList, writeImportErrors } from '../../../csv/errors-csv.ts';
import { newId } from '../../../lib/ids.ts';
import { Id } from '../../../model/index.ts';
import { consoleAudit, writeAudit } from '../audit.ts';
import type { ConsoleEnv, ResolvedConsoleDeps } from '../deps.ts';
import { ConsoleError } from '../errors.ts';
import { counts, runHref } from '../format.ts';
import { h, type SafeHtml } from '../html.ts';
import { parseForm, parsePath, parseQuery } from '../input.ts';
import { userMay } from '../roles.ts';
import { render } from '../respond.ts';

/** Largest CSV the console takes (the API's upload limit is configured separately). */
export const CONSOLE_UPLOAD_LIMIT = 20 * 1024 * 1024;
const FIRST_ERRORS = 20;
const SOURCE = /^[a-z][a-z0-9_-]{0,39}$/;

const CommitForm = z.strictObject({
  upload: Id,
  kind: z.enum(IMPORT_KINDS),
  source: z.string().regex(SOURCE, 'a lower-case source name'),
  fileName: z.string().max(200).optional(),
});

function reportTable(report: ImportReport): SafeHtml {
  const entities = Object.entries(report.counts);
  return h`<table class="import-report"><caption>${report.dryRun ? 'Dry run: what the import would do' : 'What the import did'}</caption><tbody>
<tr><th scope="row">status</th><td>${report.status}</td></tr>
<tr><th scope="row">rows</th><td>${report.rows.total} read, ${report.rows.imported} without a problem, <strong>${report.rows.withErrors}</strong> with errors</td></tr>
${entities.map(([entity, c]) => h`<tr><th scope="row">${entity}</th><td>${counts({ ...c })}</td></tr>`)}
<tr><th scope="row">message</th><td>${report.message}</td></tr>
</tbody></table>
${report.errors.length === 0 ? h`<p class="muted">No errors.</p>` : h`<h2>First errors</h2><table class="import-errors"><caption class="sr">First errors with their lines</caption><thead><tr><th scope="col">line</th><th scope="col">column</th><th scope="col">value</th><th scope="col">reason</th></tr></thead><tbody>${report.errors.slice(0, FIRST_ERRORS).map(
  (e) => h`<tr><td class="num">${e.line}</td><td>${e.column ?? ''}</td><td>${e.value ?? ''}</td><td>${e.reason}</td></tr>`,
)}</tbody></table>${report.errorCount > FIRST_ERRORS ? h`<p class="muted">${report.errorCount - FIRST_ERRORS} more in the errors CSV.</p>` : null}`}`;
}

/**
 * `/console/imports`: pick a kind and a source, upload a CSV, see the dry run (rows to create,
 * update, skip, error, with the first errors and their lines), then commit; the committed import's
 * run shows its progress on the runs page, and its errors download as CSV. The import itself is
 * src/csv's `importCsv`, dry run included: nothing here re-implements a rule.
 */
export function registerImports(app: Hono<ConsoleEnv>, deps: ResolvedConsoleDeps): void {
  const { store, now } = deps;
  const dir = join(deps.imports?.tempDir ?? tmpdir(), 'crosswalk-console-uploads');
  const uploadPath = (id: string) => join(dir, `${id}.csv`);

  function configured(): NonNullable<ResolvedConsoleDeps['imports']> {
    if (deps.imports === undefined) throw new ConsoleError(503, 'Imports unavailable', 'CSV imports are not configured for this console (no mappings or engine).');
    return deps.imports;
  }

  function form(c: Context<ConsoleEnv>): SafeHtml {
    if (deps.imports === undefined) return h`<p class="muted">CSV imports are not configured for this console.</p>`;
    if (!userMay(c, 'csv.import')) return h`<p class="muted">Uploading takes ops_admin or billing.</p>`;
    return h`<form method="post" action="/console/imports/preview" enctype="multipart/form-data" class="filters">
<label>kind<select name="kind">${IMPORT_KINDS.map((k) => h`<option value="${k}">${k}</option>`)}</select></label>
<label>source<input name="source" value="billing" pattern="[a-z][a-z0-9_\\-]{0,39}" required></label>
<label>CSV file<input type="file" name="file" accept=".csv,text/csv" required></label>
<button type="submit">Upload and preview (dry run)</button></form>`;
  }

  app.get('/imports', async (c) => {
    parseQuery(c, z.strictObject({}));
    const recent = await store.repos.runs.page({ kind: 'import', limit: 20 });
    const body = h`${form(c)}
<h2>Recent imports</h2>${recent.length === 0 ? h`<p class="muted">None.</p>` : h`<div class="scroll" tabindex="0"><table><caption class="sr">Recent imports</caption><thead><tr><th scope="col">started</th><th scope="col">system</th><th scope="col">status</th><th scope="col">counts</th></tr></thead><tbody>${recent.map(
  (r) => h`<tr><td><a href="${runHref(r.id)}">${r.startedAt}</a></td><td>${r.system}</td><td>${r.status}</td><td>${counts(r.counts)}</td></tr>`,
)}</tbody></table></div>`}`;
    return render(c, 'CSV imports', 'imports', body);
  });

  app.post('/imports/preview', async (c) => {
    if (!userMay(c, 'csv.import')) throw new ConsoleError(403, 'Not allowed', 'Uploading takes ops_admin or billing. Nothing was changed.');
    const { engine, mappings } = configured();
    const declared = Number(c.req.header('content-length') ?? '0');
    if (declared > CONSOLE_UPLOAD_LIMIT) throw new ConsoleError(413, 'File too large', `A console upload may not exceed ${CONSOLE_UPLOAD_LIMIT} bytes.`);
    const body = await c.req.parseBody();
    const file = body['file'];
    const parsed = z.strictObject({ kind: z.enum(IMPORT_KINDS), source: z.string().regex(SOURCE, 'a lower-case source name') }).safeParse({ kind: body['kind'], source: body['source'] });
    if (!parsed.success) throw new ConsoleError(400, 'Bad request', 'The upload form was not accepted; nothing was changed.', parsed.error.issues.map((i) => `form.${i.path.join('.')}: ${i.message}`));
    if (!(file instanceof File) || file.size === 0) throw new ConsoleError(400, 'Bad request', 'Choose a CSV file to upload.', ['form.file: missing or empty']);
    if (file.size > CONSOLE_UPLOAD_LIMIT) throw new ConsoleError(413, 'File too large', `A console upload may not exceed ${CONSOLE_UPLOAD_LIMIT} bytes.`);
    mkdirSync(dir, { recursive: true });
    const upload = newId();
    writeFileSync(uploadPath(upload), Buffer.from(await file.arrayBuffer()));
    const fileName = file.name.slice(0, 200);
    const report = await importCsv({ store, engine, mappings, kind: parsed.data.kind, source: parsed.data.source, path: uploadPath(upload), fileName, dryRun: true, now, reportErrors: 200 });
    const canCommit = report.refusal === undefined && report.status !== 'already_imported';
    const page = h`<p>File <code>${fileName}</code> (${file.size} bytes) as <strong>${parsed.data.kind}</strong> from <code>csv:${parsed.data.source}</code>.</p>
${reportTable(report)}
${report.errors.length > 0 ? h`<form method="post" action="/console/imports/dry-run-errors"><input type="hidden" name="upload" value="${upload}"><input type="hidden" name="kind" value="${parsed.data.kind}"><input type="hidden" name="source" value="${parsed.data.source}"><button type="submit">Download the errors CSV</button></form>` : null}
${canCommit ? h`<form method="post" action="/console/imports/commit"><input type="hidden" name="upload" value="${upload}"><input type="hidden" name="kind" value="${parsed.data.kind}"><input type="hidden" name="source" value="${parsed.data.source}"><input type="hidden" name="fileName" value="${fileName}">
<p><button type="submit">Commit the import</button> <a href="/console/imports">cancel</a></p><p class="muted">Good rows are committed; rows with errors are skipped and listed in the errors CSV.</p></form>` : null}`;
    return render(c, 'Import preview', 'imports', page);
  });

  app.post('/imports/dry-run-errors', async (c) => {
    if (!userMay(c, 'csv.import')) throw new ConsoleError(403, 'Not allowed', 'Nothing was changed.');
    const { engine, mappings } = configured();
    const f = await parseForm(c, CommitForm);
    const report = await importCsv({ store, engine, mappings, kind: f.kind, source: f.source, path: uploadPath(f.upload), dryRun: true, now, reportErrors: 100_000 });
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    await writeErrorList(report.errors, out);
    c.header('Content-Disposition', 'attachment; filename="import-errors.csv"');
    return c.body(Buffer.concat(chunks), 200, { 'content-type': 'text/csv; charset=utf-8' });
  });

  app.post('/imports/commit', async (c) => {
    if (!userMay(c, 'csv.import')) throw new ConsoleError(403, 'Not allowed', 'Committing an import takes ops_admin or billing. Nothing was changed.');
    const { engine, mappings } = configured();
    const f = await parseForm(c, CommitForm);
    let report: ImportReport;
    try {
      report = await importCsv({ store, engine, mappings, kind: f.kind, source: f.source, path: uploadPath(f.upload), ...(f.fileName === undefined ? {} : { fileName: f.fileName }), now });
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'ENOENT') throw new ConsoleError(404, 'Upload gone', 'That upload is no longer here; upload the file again.');
      throw err;
    }
    rmSync(uploadPath(f.upload), { force: true });
    await writeAudit(store.repos, [consoleAudit(c, { action: 'csv.import', targetType: 'run', targetId: report.runId }, now())]);
    const body = h`${reportTable(report)}
<p>${report.runId === null ? null : h`<a href="${runHref(report.runId)}">The import's run</a>`}${report.importId !== null && report.errorCount > 0 ? h` · <a href="/console/imports/${report.importId}/errors.csv">Download the errors CSV</a>` : null}</p>`;
    return render(c, 'Import committed', 'imports', body);
  });

  app.get('/imports/:id/errors.csv', async (c) => {
    const { id } = parsePath(c, z.strictObject({ id: Id }));
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (chunk: Buffer) => chunks.push(chunk));
    await writeImportErrors(store, id, out);
    c.header('Content-Disposition', `attachment; filename="import-${id}-errors.csv"`);
    return c.body(Buffer.concat(chunks), 200, { 'content-type': 'text/csv; charset=utf-8' });
  });
}
