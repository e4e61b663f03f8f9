import type { EntityName } from '../model/index.ts';
import type { CanonicalRow, Repos } from '../store/index.ts';

/** Records a document may be attached to. */
export const DOCUMENT_TARGETS = ['client', 'worksite', 'assignment', 'time_entry', 'invoice'] as const;
export type DocumentTarget = (typeof DOCUMENT_TARGETS)[number];

/** Records that take comments. */
export const COMMENT_TARGETS = ['time_entry', 'requisition', 'assignment', 'invoice'] as const;
export type CommentTarget = (typeof COMMENT_TARGETS)[number];

/** The client and worksite a record belongs to: the scope of an event about it. */
export interface OwnerScope {
  readonly clientId: string | null;
  readonly worksiteId: string | null;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * The client and worksite of a record, walked up through its parents (time entry → assignment →
 * worksite → client). What an event is routed by; read from the store, never from a body.
 */
export async function ownerScope(tx: Repos, entity: EntityName, row: CanonicalRow): Promise<OwnerScope> {
  const clientOfWorksite = async (worksiteId: string | null): Promise<string | null> =>
    worksiteId === null ? null : text((await tx.canonical.get('worksite', worksiteId))?.fields['clientId']);
  switch (entity) {
    case 'client':
      return { clientId: row.id, worksiteId: null };
    case 'worksite':
      return { clientId: text(row.fields['clientId']), worksiteId: row.id };
    case 'requisition':
    case 'invoice':
      return { clientId: text(row.fields['clientId']), worksiteId: text(row.fields['worksiteId']) };
    case 'assignment': {
      const worksiteId = text(row.fields['worksiteId']);
      return { clientId: await clientOfWorksite(worksiteId), worksiteId };
    }
    case 'time_entry': {
      const assignmentId = text(row.fields['assignmentId']);
      const assignment = assignmentId === null ? null : await tx.canonical.get('assignment', assignmentId);
      const worksiteId = text(assignment?.fields['worksiteId']);
      return { clientId: await clientOfWorksite(worksiteId), worksiteId };
    }
    default:
      return { clientId: null, worksiteId: null };
  }
}
