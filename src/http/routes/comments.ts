import { z } from 'zod';
import { loadAccess, scopeOf, type Access } from '../../access/policy.ts';
import { actorOf } from '../../access/principal.ts';
import { addComment, COMMENT_EDIT_WINDOW_MINUTES, deleteComment, editComment, editRefusal, MAX_COMMENT_LENGTH } from '../../documents/comments.ts';
import { ownerScope, type CommentTarget } from '../../documents/owners.ts';
import type { EntityName } from '../../model/index.ts';
import type { CommentRevisionRow, CommentRow, Repos } from '../../store/index.ts';
import { accessFor, principalOf } from '../caller.ts';
import type { ResolvedDeps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import type { RouteRegistrar } from '../route.ts';
import { IdParam } from '../schemas/common.ts';

const Visibility = z.enum(['internal', 'client']);
const Text = z.string().trim().min(1).max(MAX_COMMENT_LENGTH);

const CommentView = z.strictObject({
  id: z.string(),
  entity: z.string(),
  recordId: z.string(),
  author: z.string().meta({ description: 'the principal who wrote it' }),
  visibility: Visibility,
  body: z.string().nullable().meta({ description: 'null once deleted (the history keeps every text)' }),
  revision: z.number().int(),
  edited: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
});
const RevisionView = z.strictObject({ revision: z.number().int(), action: z.enum(['created', 'edited', 'deleted']), body: z.string(), visibility: Visibility, actor: z.string(), at: z.string() });

function toView(c: CommentRow): z.infer<typeof CommentView> {
  return {
    id: c.id, entity: c.entity, recordId: c.recordId, author: c.author, visibility: c.visibility, body: c.deletedAt === null ? c.body : null,
    revision: c.revision, edited: c.revision > 1 && c.deletedAt === null, createdAt: c.createdAt, updatedAt: c.updatedAt, deletedAt: c.deletedAt,
  };
}
const toRevision = (r: CommentRevisionRow): z.infer<typeof RevisionView> => ({ revision: r.revision, action: r.action, body: r.body, visibility: r.visibility, actor: r.actor, at: r.at });

/** The path segment of each record kind that takes comments. */
const SEGMENTS: ReadonlyArray<readonly [string, CommentTarget]> = [
  ['time-entries', 'time_entry'],
  ['requisitions', 'requisition'],
  ['assignments', 'assignment'],
  ['invoices', 'invoice'],
];

const AddBody = z.strictObject({
  body: Text,
  visibility: Visibility.optional().meta({ description: 'default internal for staff, client for a contact (who writes client-visible comments only)' }),
});
const EditBody = z.strictObject({ body: Text });

/**
 * Comments on time entries, requisitions, assignments and invoices: listed on the record, written by
 * the principal, internal or client-visible, editable by the author for a short window, soft
 * deleted with their history. Each change is a ledger row on the record (a portal change).
 */
export function registerComments(api: RouteRegistrar, deps: ResolvedDeps): void {
  const { store, now } = deps;

  /** The record, read through the caller's scope: out of scope is 404 like missing. */
  const record = async (repos: Repos, access: Access, entity: EntityName, id: string) => {
    const row = await repos.canonical.getScoped(entity, id, scopeOf(access, entity));
    if (!row || row.deletedAt !== null) throw new ApiError('not_found', `${entity} ${id} not found`);
    return row;
  };

  /** A comment the caller may see: its record in scope, and not internal for a contact. */
  const visibleComment = async (repos: Repos, access: Access, id: string): Promise<CommentRow> => {
    const comment = await repos.comments.get(id);
    if (comment === null || (!access.internal && comment.visibility !== 'client')) throw new ApiError('not_found', `comment ${id} not found`);
    try {
      await record(repos, access, comment.entity as EntityName, comment.recordId); // written only from COMMENT_TARGETS
    } catch {
      throw new ApiError('not_found', `comment ${id} not found`);
    }
    return comment;
  };

  for (const [segment, entity] of SEGMENTS) {
    api.route({
      method: 'get',
      path: `/api/v1/${segment}/:id/comments`,
      operationId: `list${pascal(entity)}Comments`,
      summary: `Comments on a ${entity.replace('_', ' ')}, oldest first`,
      description: 'A contact sees client-visible comments only (filtered in the query). Deleted comments are listed without their text.',
      tag: 'comments',
      access: 'comments.read',
      params: IdParam,
      errors: ['not_found'],
      responses: { 200: { description: 'the comments', schema: z.strictObject({ data: z.array(CommentView) }) } },
      handler: async ({ params }, c) => {
        const access = await accessFor(c, store.repos, now());
        await record(store.repos, access, entity, params.id);
        const rows = await store.repos.comments.forRecord(entity, params.id, !access.internal);
        return c.json({ data: rows.map(toView) });
      },
    });

    api.route({
      method: 'post',
      path: `/api/v1/${segment}/:id/comments`,
      operationId: `add${pascal(entity)}Comment`,
      summary: `Comment on a ${entity.replace('_', ' ')}`,
      description: 'The author is the authenticated principal. A contact writes client-visible comments only (403 for internal).',
      tag: 'comments',
      access: 'comments.write',
      audit: { action: 'comment.add', targetType: entity },
      params: IdParam,
      body: AddBody,
      errors: ['not_found', 'forbidden'],
      responses: { 201: { description: 'the comment', schema: z.strictObject({ data: CommentView }) } },
      handler: async ({ params, body }, c) => {
        const principal = principalOf(c);
        const visibility = body.visibility ?? (principal.kind === 'contact' ? 'client' : 'internal');
        const created = await store.unitOfWork(async (tx) => {
          const at = now();
          const access = await loadAccess(tx, principal, at);
          const row = await record(tx, access, entity, params.id);
          if (!access.internal && visibility !== 'client') throw new ApiError('forbidden', 'a contact writes client-visible comments only');
          return addComment(tx, { entity, recordId: row.id, scope: await ownerScope(tx, entity, row) }, { actor: actorOf(principal), body: body.body, visibility }, at);
        });
        return c.json({ data: toView(created) }, 201);
      },
    });
  }

  api.route({
    method: 'post',
    path: '/api/v1/comments/:id/edit',
    operationId: 'editComment',
    summary: 'Edit a comment (its author, within the edit window)',
    description: `Only the author, and only for ${COMMENT_EDIT_WINDOW_MINUTES} minutes after writing it (409 after). The earlier text stays in the history.`,
    tag: 'comments',
    access: 'comments.write',
    audit: { action: 'comment.edit', targetType: 'comment' },
    params: IdParam,
    body: EditBody,
    errors: ['not_found', 'forbidden', 'refused'],
    responses: { 200: { description: 'the comment after the edit', schema: z.strictObject({ data: CommentView }) } },
    handler: async ({ params, body }, c) => {
      const principal = principalOf(c);
      const edited = await store.unitOfWork(async (tx) => {
        const at = now();
        const access = await loadAccess(tx, principal, at);
        const comment = await visibleComment(tx, access, params.id);
        const refusal = editRefusal(comment, actorOf(principal), at);
        if (refusal !== null) throw new ApiError(refusal.code, refusal.reason);
        return editComment(tx, comment, actorOf(principal), body.body, at);
      });
      return c.json({ data: toView(edited) });
    },
  });

  api.route({
    method: 'post',
    path: '/api/v1/comments/:id/delete',
    operationId: 'deleteComment',
    summary: 'Delete a comment (soft: its history stays)',
    description: 'By its author, or an ops admin. The comment stays listed, without its text; its history keeps every text.',
    tag: 'comments',
    access: 'comments.write',
    audit: { action: 'comment.delete', targetType: 'comment' },
    params: IdParam,
    errors: ['not_found', 'forbidden', 'refused'],
    responses: { 200: { description: 'the deleted comment', schema: z.strictObject({ data: CommentView }) } },
    handler: async ({ params }, c) => {
      const principal = principalOf(c);
      const deleted = await store.unitOfWork(async (tx) => {
        const at = now();
        const access = await loadAccess(tx, principal, at);
        const comment = await visibleComment(tx, access, params.id);
        const opsAdmin = principal.kind === 'user' && principal.role === 'ops_admin';
        if (comment.author !== actorOf(principal) && !opsAdmin) throw new ApiError('forbidden', 'only the author or an ops admin deletes a comment');
        if (comment.deletedAt !== null) throw new ApiError('refused', 'the comment was deleted already');
        return deleteComment(tx, comment, actorOf(principal), at);
      });
      return c.json({ data: toView(deleted) });
    },
  });

  api.route({
    method: 'get',
    path: '/api/v1/comments/:id/history',
    operationId: 'getCommentHistory',
    summary: 'Every text a comment had, oldest first',
    tag: 'comments',
    access: 'comments.read',
    params: IdParam,
    errors: ['not_found'],
    responses: { 200: { description: 'the comment and its revisions', schema: z.strictObject({ data: CommentView, revisions: z.array(RevisionView) }) } },
    handler: async ({ params }, c) => {
      const access = await accessFor(c, store.repos, now());
      const comment = await visibleComment(store.repos, access, params.id);
      return c.json({ data: toView(comment), revisions: (await store.repos.comments.revisions(comment.id)).map(toRevision) });
    },
  });
}

function pascal(entity: string): string {
  return entity.split('_').map((p) => (p[0] ?? '').toUpperCase() + p.slice(1)).join('');
}
