import { PORTAL } from '../engine/index.ts';
import { newId } from '../lib/ids.ts';
import type { EntityName } from '../model/index.ts';
import type { CommentRow, CommentVisibility, Repos } from '../store/index.ts';
import type { OwnerScope } from './owners.ts';

/** How long after writing it the author may still edit a comment. */
export const COMMENT_EDIT_WINDOW_MINUTES = 15;
/** Longest comment text, in characters. */
export const MAX_COMMENT_LENGTH = 4000;

/** Why a comment change is refused, or null when it may go ahead. */
export function editRefusal(comment: CommentRow, actor: string, now: string, windowMinutes = COMMENT_EDIT_WINDOW_MINUTES): { code: 'forbidden' | 'refused'; reason: string } | null {
  if (comment.author !== actor) return { code: 'forbidden', reason: 'only the author edits a comment' };
  if (comment.deletedAt !== null) return { code: 'refused', reason: 'the comment was deleted' };
  if (Date.parse(now) - Date.parse(comment.createdAt) > windowMinutes * 60_000) {
    return { code: 'refused', reason: `comments can be edited for ${windowMinutes} minutes after they are written` };
  }
  return null;
}

interface Target {
  readonly entity: EntityName;
  readonly recordId: string;
  readonly scope: OwnerScope;
}

/**
 * Adds a comment, in the caller's unit of work: the comment and its first revision, a ledger row
 * (a portal change on the record, by the principal) and a `comment.added` event.
 */
export async function addComment(tx: Repos, target: Target, input: { actor: string; body: string; visibility: CommentVisibility }, now: string): Promise<CommentRow> {
  const row: CommentRow = {
    id: newId(), entity: target.entity, recordId: target.recordId, author: input.actor, visibility: input.visibility, body: input.body,
    revision: 1, createdAt: now, updatedAt: now, deletedAt: null, deletedBy: null,
  };
  await tx.comments.insert(row);
  await ledger(tx, row, input.actor, null, row.body, `${row.visibility} comment ${row.id} added`, now);
  await tx.events.append({
    type: 'comment.added', entity: target.entity, canonicalId: target.recordId, clientId: target.scope.clientId, worksiteId: target.scope.worksiteId, actor: input.actor,
    // Fan-out must honour `visibility`: an internal comment is never announced to a contact.
    data: { commentId: row.id, visibility: row.visibility },
    at: now,
  });
  return row;
}

/** Replaces the text (the earlier text stays in the revisions). */
export async function editComment(tx: Repos, comment: CommentRow, actor: string, body: string, now: string): Promise<CommentRow> {
  const next: CommentRow = { ...comment, body, revision: comment.revision + 1, updatedAt: now };
  await tx.comments.update(next, 'edited', actor);
  await ledger(tx, next, actor, comment.body, body, `comment ${comment.id} edited`, now);
  return next;
}

/** Soft delete: the comment stays, marked, with its history. */
export async function deleteComment(tx: Repos, comment: CommentRow, actor: string, now: string): Promise<CommentRow> {
  const next: CommentRow = { ...comment, revision: comment.revision + 1, updatedAt: now, deletedAt: now, deletedBy: actor };
  await tx.comments.update(next, 'deleted', actor);
  await ledger(tx, next, actor, comment.body, null, `comment ${comment.id} deleted`, now);
  return next;
}

async function ledger(tx: Repos, c: CommentRow, actor: string, from: string | null, to: string | null, reason: string, now: string): Promise<void> {
  await tx.ledger.appendMany([
    {
      at: now, direction: 'local', system: PORTAL, entity: c.entity as EntityName, // written only from COMMENT_TARGETS
      canonicalId: c.recordId, externalId: null, action: 'comment', outcome: 'applied',
      diff: [{ field: `comment:${c.id}`, from, to, result: 'applied' }], reason, sourceModifiedAt: null, actor, runId: null, jobId: null,
    },
  ]);
}
