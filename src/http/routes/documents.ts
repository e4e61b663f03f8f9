import { Readable } from 'node:stream';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { scopeOf, visibleFields } from '../../access/policy.ts';
import { actorOf, type Principal } from '../../access/principal.ts';
import { DEFAULT_LINK_MINUTES, MAX_LINK_MINUTES } from '../../documents/links.ts';
import { safeFilename } from '../../documents/record.ts';
import type { DocumentVersionRow } from '../../store/index.ts';
import { writeAudit } from '../audit.ts';
import { accessFor, principalOf } from '../caller.ts';
import type { ResolvedDeps } from '../deps.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import type { RouteRegistrar } from '../route.ts';
import { IdParam } from '../schemas/common.ts';
import { recordView, toVisibleRecord } from '../schemas/views.ts';
import { registerDocumentUploads } from './document-upload.ts';

const VersionView = z.strictObject({
  version: z.number().int(),
  sha256: z.string(),
  sizeBytes: z.number().int(),
  contentType: z.string(),
  filename: z.string(),
  uploadedBy: z.string().meta({ description: 'the principal who uploaded it' }),
  uploadedAt: z.string(),
});

function toVersion(v: DocumentVersionRow): z.infer<typeof VersionView> {
  return { version: v.version, sha256: v.sha256, sizeBytes: v.sizeBytes, contentType: v.contentType, filename: v.filename, uploadedBy: v.uploadedBy, uploadedAt: v.uploadedAt };
}

const LinkBody = z.strictObject({
  version: z.number().int().min(1).optional().meta({ description: 'the version to download; default the latest' }),
  minutes: z.number().int().min(1).max(MAX_LINK_MINUTES).optional().meta({ description: `how long the link lives; default ${DEFAULT_LINK_MINUTES}` }),
  singleUse: z.boolean().optional().meta({ description: 'the link works once; default false' }),
});

const LinkView = z.strictObject({
  url: z.string().meta({ description: 'GET it with your own credential: the link works for the principal it was made for, only' }),
  link: z.string(),
  documentId: z.string(),
  version: z.number().int(),
  expiresAt: z.string(),
  singleUse: z.boolean(),
});

const DownloadQuery = z.strictObject({ link: z.string().min(1).max(2048) });

/**
 * Documents: detail with every version, a signed download link per version, and the download
 * through it; uploads (multipart) are in `document-upload.ts`. Lists of documents on a record are
 * the records API (`/api/v1/records/document?ownerEntity=…&ownerId=…`), scoped by the same policy.
 */
export function registerDocuments(app: Hono<AppEnv>, api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, now, documents } = deps;

  // Registered before `/documents/:id`, which would otherwise take `download` for an id.
  api.route({
    method: 'get',
    path: '/api/v1/documents/download',
    operationId: 'downloadDocument',
    summary: 'Download a document version through a signed link',
    description:
      'The link (from `POST /api/v1/documents/{id}/link`) is checked for its signature and expiry, the caller must be the principal it was made for, and that principal must still see the document. A tampered, expired, spent or someone else’s link is 403; a document no longer visible is 404. Every attempt is in the access audit.',
    tag: 'documents',
    access: 'documents.read',
    audit: false, // written by the handler, with the link's document and the reason
    query: DownloadQuery,
    errors: ['forbidden', 'not_found'],
    responses: { 200: { description: 'the bytes, as an attachment', contentType: 'application/octet-stream', schema: z.string() } },
    handler: async ({ query }, c) => download(c, query.link),
  });

  const download = async (c: Context<AppEnv>, link: string): Promise<Response> => {
    const principal = principalOf(c);
    const at = now();
    const audit = async (outcome: 'success' | 'denied' | 'failure', documentId: string | null, reason: string | null): Promise<void> =>
      writeAudit(store, c, { principal, requestId: c.get('requestId') ?? null, action: 'document.download', targetType: 'document', targetId: documentId, outcome, reason }, now());
    const refuse = async (documentId: string | null, reason: string): Promise<never> => {
      await audit('denied', documentId, reason);
      throw new ApiError('forbidden', reason);
    };
    const checked = documents.signer.verify(link, Date.parse(at));
    if (!checked.ok) return refuse(null, checked.reason);
    const { claims } = checked;
    if (claims.principal !== actorOf(principal)) return refuse(claims.documentId, 'this link was made for someone else');
    // The principal still has to see the document now: a role lost since the link was made ends it.
    const access = await accessFor(c, store.repos, at);
    const row = await store.repos.canonical.getScoped('document', claims.documentId, scopeOf(access, 'document'));
    const version = row === null || row.deletedAt !== null ? null : await store.repos.documents.version(claims.documentId, claims.version);
    if (version === null) {
      await audit('failure', claims.documentId, 'not found or no longer visible');
      throw new ApiError('not_found', `document ${claims.documentId} version ${claims.version} not found`);
    }
    if (claims.singleUse && !(await store.unitOfWork(async (tx) => tx.documents.spendLink(claims.linkId, claims.documentId, actorOf(principal), at)))) {
      return refuse(claims.documentId, 'this single-use link was used already');
    }
    const bytes = await documents.blobs.open(version.sha256);
    if (bytes === null) {
      await audit('failure', claims.documentId, `blob ${version.sha256} missing`);
      throw new Error(`document ${claims.documentId} version ${claims.version}: blob ${version.sha256} is missing from the blob store`);
    }
    await audit('success', claims.documentId, `version ${claims.version}`);
    const name = safeFilename(version.filename, `document-${claims.version}`);
    return c.body(Readable.toWeb(bytes) as ReadableStream<Uint8Array>, 200, {
      'Content-Type': version.contentType,
      'Content-Length': String(version.sizeBytes),
      'Content-Disposition': `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    });
  };

  api.route({
    method: 'get',
    path: '/api/v1/documents/:id',
    operationId: 'getDocument',
    summary: 'A document with every version',
    description: 'A document outside what the caller may see answers 404 (a contact never sees an internal one).',
    tag: 'documents',
    access: 'documents.read',
    audit: { action: 'document.read', targetType: 'document' },
    params: IdParam,
    errors: ['not_found'],
    responses: { 200: { description: 'the document and its versions, oldest first', schema: z.strictObject({ data: recordView('document'), versions: z.array(VersionView) }) } },
    handler: async ({ params }, c) => {
      const access = await accessFor(c, store.repos, now());
      const row = await store.repos.canonical.getScoped('document', params.id, scopeOf(access, 'document'));
      if (!row || row.deletedAt !== null) throw new ApiError('not_found', `document ${params.id} not found`);
      const versions = await store.repos.documents.versions(row.id);
      return c.json({ data: toVisibleRecord(row, visibleFields(access, 'document')), versions: versions.map(toVersion) });
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/documents/:id/link',
    operationId: 'linkDocument',
    summary: 'A signed, expiring download link for one version',
    description: `HMAC-signed over the document, version, the calling principal and the expiry (${DEFAULT_LINK_MINUTES} minutes unless asked, at most ${MAX_LINK_MINUTES}); optionally single use. Only the calling principal can use it.`,
    tag: 'documents',
    access: 'documents.read',
    params: IdParam,
    body: LinkBody,
    bodyOptional: true,
    errors: ['not_found'],
    responses: { 201: { description: 'the link', schema: z.strictObject({ data: LinkView }) } },
    handler: async ({ params, body }, c) => {
      const principal: Principal = principalOf(c);
      const at = now();
      const access = await accessFor(c, store.repos, at);
      const row = await store.repos.canonical.getScoped('document', params.id, scopeOf(access, 'document'));
      if (!row || row.deletedAt !== null) throw new ApiError('not_found', `document ${params.id} not found`);
      const version = body.version ?? (await store.repos.documents.latestVersion(row.id));
      if (version === 0 || (await store.repos.documents.version(row.id, version)) === null) {
        throw new ApiError('not_found', `document ${row.id} has no stored version ${body.version ?? ''}`.trim());
      }
      const { link, claims } = documents.signer.sign({
        documentId: row.id, version, principal: actorOf(principal), singleUse: body.singleUse ?? false, now: Date.parse(at),
        ...(body.minutes === undefined ? {} : { minutes: body.minutes }),
      });
      const base = deps.publicUrl ?? new URL(c.req.url).origin;
      const url = `${base.replace(/\/+$/, '')}/api/v1/documents/download?link=${encodeURIComponent(link)}`;
      return c.json({ data: { url, link, documentId: row.id, version, expiresAt: new Date(claims.expiresAt).toISOString(), singleUse: claims.singleUse } }, 201);
    },
  });

  registerDocumentUploads(app, api, deps);
}
