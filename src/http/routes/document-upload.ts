import { rm } from 'node:fs/promises';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { can, loadAccess, scopeOf, visibleFields } from '../../access/policy.ts';
import { actorOf } from '../../access/principal.ts';
import { MultipartError, readMultipart } from '../../csv/multipart.ts';
import { DOCUMENT_TARGETS, ownerScope } from '../../documents/owners.ts';
import { acceptFile } from '../../documents/accept.ts';
import { recordVersion, type VersionOf } from '../../documents/record.ts';
import { Id, type EntityName } from '../../model/index.ts';
import type { CanonicalRow, Repos } from '../../store/index.ts';
import { accessFor, principalOf } from '../caller.ts';
import type { ResolvedDeps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import type { RegisteredRoute, RouteRegistrar } from '../route.ts';
import { recordView, toVisibleRecord } from '../schemas/views.ts';
import { parseInput as parse, singleQuery as queryOf } from '../raw-input.ts';

const Visibility = z.enum(['internal', 'client']);

const NewDocumentQuery = z.strictObject({
  ownerEntity: z.enum(DOCUMENT_TARGETS).meta({ description: 'the kind of record the document is attached to' }),
  ownerId: Id,
  visibility: Visibility.optional().meta({ description: 'internal (staff only) or client; default internal for staff, client for a contact (who may upload client-visible documents only)' }),
  type: z.string().trim().min(1).max(64).optional().meta({ description: 'what kind of document (timesheet, contract…); default general' }),
  title: z.string().trim().min(1).max(300).optional().meta({ description: 'default: the file name' }),
});
const NoQuery = z.strictObject({});
const FileBody = z.strictObject({ file: z.file() });

/** Multipart framing adds a few hundred bytes; a declared length well past the limit is refused unread. */
const FRAMING_ALLOWANCE = 64 * 1024;

const UploadResult = z.strictObject({
  data: recordView('document'),
  version: z.strictObject({ version: z.number().int(), sha256: z.string(), sizeBytes: z.number().int(), contentType: z.string(), filename: z.string() }),
});

const common = {
  method: 'post', tag: 'documents', access: 'documents.upload', body: FileBody, bodyContentType: 'multipart/form-data',
  errors: ['not_found', 'forbidden', 'payload_too_large', 'unsupported_media_type', 'invalid'],
  responses: { 201: { description: 'the document and the version stored', schema: UploadResult } },
} as const;

const NEW_DOCUMENT: RegisteredRoute = {
  ...common, path: '/api/v1/documents', operationId: 'uploadDocument', query: NewDocumentQuery,
  audit: { action: 'document.upload', targetType: 'document' },
  summary: 'Upload a document attached to a client, worksite, assignment, time entry or invoice',
  description:
    'Multipart with one part named `file`; what it is attached to is in the query, checked before a byte is read (a record outside your scope is 404). The type is judged on the bytes (PDF, PNG, JPEG, DOCX, XLSX, CSV, plain text; anything else, a renamed executable included, is 415); an empty file is 422; a file over the limit is 413 and nothing is stored.',
};
const NEW_VERSION: RegisteredRoute = {
  ...common, path: '/api/v1/documents/:id/versions', operationId: 'uploadDocumentVersion', query: NoQuery, params: z.strictObject({ id: Id }),
  audit: { action: 'document.upload', targetType: 'document' },
  summary: 'Upload the next version of a document (every earlier one is kept)',
  description: 'Multipart with one part named `file`, judged like a new document. A document outside your scope is 404.',
};

/** Uploads are served by this module's own handlers (multipart is read as a stream, not by the registrar). */
export function isDocumentUpload(method: string, path: string): boolean {
  return method === 'POST' && /^\/api\/v1\/documents(\/[^/]+\/versions)?\/?$/.test(path);
}

export function registerDocumentUploads(app: Hono<AppEnv>, api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, policy, now, documents } = deps;
  api.describe(NEW_DOCUMENT);
  api.describe(NEW_VERSION);

  /** The policy action first, as the registrar does: a caller who may not upload learns nothing more. */
  const guard = (c: Context<AppEnv>, doc: RegisteredRoute) => {
    const principal = c.get('principal') ?? null;
    const targetId = c.req.param('id') ?? null;
    c.set('audit', { action: 'document.upload', targetType: 'document', targetId });
    const decision = can(principal, doc.access);
    if (!decision.ok) {
      c.set('audit', { action: 'document.upload', targetType: 'document', targetId, reason: decision.reason });
      if (principal === null) throw new ApiError('unauthorized', 'sign in: send Authorization: Bearer <token> or a session cookie');
      throw new ApiError('forbidden', decision.reason);
    }
  };

  /** Reads the file into the blob store's staging folder, judges it and stores it; then `write` records it. */
  const receive = async (c: Context<AppEnv>, write: (tx: Repos, file: Received) => Promise<{ documentId: string; version: number }>) => {
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    if (Number.isFinite(declared) && declared > documents.maxBytes + FRAMING_ALLOWANCE) {
      throw new ApiError('payload_too_large', `the upload is larger than the ${documents.maxBytes}-byte document limit`);
    }
    const dir = await documents.blobs.stagingDir();
    try {
      let body;
      try {
        body = await readMultipart(c.req.raw.body, c.req.header('content-type'), dir, { fileBytes: documents.maxBytes, parts: 4, sha256: true });
      } catch (err) {
        if (!(err instanceof MultipartError)) throw err;
        const code = err.status === 413 ? 'payload_too_large' : err.status === 415 ? 'unsupported_media_type' : 'invalid_request';
        throw new ApiError(code, err.status === 413 ? `the file is larger than the ${documents.maxBytes}-byte document limit` : err.message);
      }
      const extra = Object.keys(body.fields);
      if (extra.length > 0) throw new ApiError('invalid_request', `unknown multipart field(s): ${extra.join(', ')} (the file's details go in the query)`, extra.map((f) => ({ path: `body.${f}`, message: 'unknown field' })));
      const file = body.file;
      if (file === null) throw new ApiError('invalid_request', 'send the file in a part named "file"', [{ path: 'body.file', message: 'required' }]);
      const accepted = await acceptFile(documents.blobs, file.path, file.bytes, file.name, file.sha256);
      if (!accepted.ok) throw new ApiError(accepted.problem === 'empty' ? 'invalid' : 'unsupported_media_type', accepted.reason, [{ path: 'body.file', message: accepted.reason }]);
      const { blob, contentType, filename } = accepted;
      const result = await store.unitOfWork(async (tx) => write(tx, { blob, contentType, filename }));
      c.set('audit', { action: 'document.upload', targetType: 'document', targetId: result.documentId });
      const row = await store.repos.canonical.get('document', result.documentId);
      if (row === null) throw new Error(`document ${result.documentId} vanished after its upload`);
      const access = await accessFor(c, store.repos, now());
      return c.json({
        data: toVisibleRecord(row, visibleFields(access, 'document')),
        version: { version: result.version, sha256: blob.sha256, sizeBytes: blob.size, contentType, filename },
      }, 201);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  /** The target record, read through the caller's scope: out of scope is 404 like missing. */
  const scoped = async (repos: Repos, c: Context<AppEnv>, entity: EntityName, id: string, at: string): Promise<CanonicalRow> => {
    const access = await loadAccess(repos, principalOf(c), at);
    const row = await repos.canonical.getScoped(entity, id, scopeOf(access, entity));
    if (!row || row.deletedAt !== null) throw new ApiError('not_found', `${entity} ${id} not found`);
    return row;
  };

  app.post(NEW_DOCUMENT.path, async (c) => {
    guard(c, NEW_DOCUMENT);
    const q = parse(NewDocumentQuery, queryOf(c), 'query');
    const principal = principalOf(c);
    const visibility = q.visibility ?? (principal.kind === 'contact' ? 'client' : 'internal');
    if (principal.kind === 'contact' && visibility !== 'client') throw new ApiError('forbidden', 'a contact uploads client-visible documents only');
    // Checked before the body is read, and again in the unit of work that writes.
    await scoped(store.repos, c, q.ownerEntity, q.ownerId, now());
    return receive(c, async (tx, file) => {
      const at = now();
      const owner = await scoped(tx, c, q.ownerEntity, q.ownerId, at);
      const of: VersionOf = { kind: 'new', ownerEntity: q.ownerEntity, ownerId: owner.id, type: q.type ?? 'general', title: q.title ?? file.filename, visibility };
      return recordVersion(tx, policy, { actor: actorOf(principal), of, ...file, scope: await ownerScope(tx, q.ownerEntity, owner) }, at);
    });
  });

  app.post(NEW_VERSION.path, async (c) => {
    guard(c, NEW_VERSION);
    const id = parse(z.strictObject({ id: Id }), c.req.param(), 'params').id;
    parse(NoQuery, queryOf(c), 'query');
    const principal = principalOf(c);
    await scoped(store.repos, c, 'document', id, now());
    return receive(c, async (tx, file) => {
      const at = now();
      const row = await scoped(tx, c, 'document', id, at);
      const ownerEntity = String(row.fields['ownerEntity']) as EntityName; // written only from DocumentOwnerEntity values
      const owner = await tx.canonical.get(ownerEntity, String(row.fields['ownerId']));
      const scope = owner === null ? { clientId: null, worksiteId: null } : await ownerScope(tx, ownerEntity, owner);
      return recordVersion(tx, policy, { actor: actorOf(principal), of: { kind: 'existing', row }, ...file, scope }, at);
    });
  });
}

interface Received {
  readonly blob: { readonly sha256: string; readonly size: number };
  readonly contentType: string;
  readonly filename: string;
}
