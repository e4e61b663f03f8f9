import type { Action } from '../../../access/policy.ts';
import type { Store } from '../../../store/index.ts';
import { listTimeExceptions } from '../../../engine/time/exceptions.ts';
import { nowIso } from '../../../lib/time.ts';
import { recordHref } from '../format.ts';

/** A button that resolves an exception: a POST to `path` with `fields`, allowed to roles `action` allows. */
export interface ExceptionAction {
  readonly label: string;
  readonly path: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly action: Action;
  /** A free-text input the form adds (a canonical id to link to). */
  readonly input?: { readonly name: string; readonly label: string; readonly options?: readonly string[] };
}

/** One row of the exceptions screen: what is wrong, where, since when, and what resolves it. */
export interface ExceptionRow {
  readonly key: string;
  readonly system: string;
  readonly what: string;
  readonly reason: string;
  readonly since: string;
  /** Where to look: the record page, or the ledger filtered to it. */
  readonly href: string | null;
  readonly actions: readonly ExceptionAction[];
}

export interface ExceptionPage {
  readonly rows: readonly ExceptionRow[];
  /** The cursor of the next page, or null when this is the last. */
  readonly next: string | null;
}

export interface ExceptionFilter {
  readonly system?: string;
  readonly after?: string;
  readonly limit: number;
}

/** A kind of exception: held and parked records, identity reviews, rejected rows; more to come. */
export interface ExceptionSource {
  readonly kind: string;
  readonly title: string;
  /** What it means and how it clears, in a sentence. */
  readonly help: string;
  list(store: Store, filter: ExceptionFilter): Promise<ExceptionPage>;
  count(store: Store): Promise<number>;
}

const linkKey = (l: { updatedAt: string; system: string; entity: string; externalId: string }) => `${l.updatedAt}|${l.system}|${l.entity}|${l.externalId}`;

function linkSource(state: 'held' | 'rejected' | 'parked', title: string, help: string): ExceptionSource {
  return {
    kind: `${state}_records`, title, help,
    count: async (store) => (await store.query.value<number>('SELECT count(*) FROM links WHERE state = ?', [state])) ?? 0,
    async list(store, f) {
      const links = await store.repos.links.listByState(state, f.limit + 1, f.system, f.after);
      const shown = links.slice(0, f.limit);
      const last = shown.at(-1);
      return {
        next: links.length > f.limit && last ? linkKey(last) : null,
        rows: shown.map((l) => ({
          key: `${l.system}|${l.entity}|${l.externalId}`,
          system: l.system,
          what: `${l.entity} ${l.externalId}`,
          reason: `${l.reason ?? ''}${l.waitingOn === null ? '' : ` (waiting on ${l.waitingOn})`}`,
          since: l.updatedAt,
          href: l.canonicalId === null ? null : recordHref(l.entity, l.canonicalId),
          actions: state === 'parked' ? [] : [{
            label: 're-evaluate on next delivery', path: '/console/exceptions/links/retry', action: 'sync.operate',
            fields: { system: l.system, entity: l.entity, externalId: l.externalId },
          }],
        })),
      };
    },
  };
}

const identityReviews: ExceptionSource = {
  kind: 'identity_review', title: 'Identity review queue',
  help: 'Records the engine would not match on its own. Link one to the canonical record it is, or split it off as a record of its own.',
  count: async (store) => (await store.query.value<number>("SELECT count(*) FROM identity_reviews WHERE status = 'open'")) ?? 0,
  async list(store, f) {
    const reviews = await store.repos.identity.list({ status: 'open', limit: f.limit + 1, ...(f.system === undefined ? {} : { system: f.system }), ...(f.after === undefined ? {} : { after: f.after }) });
    const shown = reviews.slice(0, f.limit);
    const last = shown.at(-1);
    return {
      next: reviews.length > f.limit && last ? last.id : null,
      rows: shown.map((r) => {
        const candidates = r.evidence.candidates.map((c) => c.canonicalId);
        return {
          key: r.id, system: r.system, what: `${r.entity} ${r.externalId}`,
          reason: `${r.reason}${candidates.length > 0 ? ` — candidates: ${candidates.join(', ')}` : ''}`,
          since: r.openedAt, href: candidates[0] === undefined ? null : recordHref(r.entity, candidates[0]),
          actions: [
            { label: 'link', path: `/console/exceptions/identity/${encodeURIComponent(r.id)}/link`, action: 'conflicts.resolve', fields: {}, input: { name: 'canonicalId', label: 'canonical record', options: candidates } },
            { label: 'split (keep apart)', path: `/console/exceptions/identity/${encodeURIComponent(r.id)}/split`, action: 'conflicts.resolve', fields: {} },
          ],
        };
      }),
    };
  },
};

/**
 * Time that waits on nobody (decision 0018): submitted at a worksite with no valid approver, or
 * approved after its pay period's cutoff and held. The first clears when someone gets the approver
 * role there (contact roles: CSV, sync or the API); the second when ops release it, here.
 */
const timeExceptions: ExceptionSource = {
  kind: 'time_exceptions', title: 'Time without a valid approver, or held after the cutoff',
  help: 'Submitted time at a worksite nobody may approve (give someone the approver role there), and approvals after the pay-period cutoff held for the next period (release one to pay it now).',
  count: async (store) => (await listTimeExceptions(store.repos, nowIso())).length,
  async list(store, f) {
    // Derived, not stored: the list is as long as what waits, which the page bounds by `limit`.
    const all = (await listTimeExceptions(store.repos, nowIso())).sort((a, b) => a.timeEntryId.localeCompare(b.timeEntryId));
    const from = f.after === undefined ? all : all.filter((e) => e.timeEntryId > (f.after ?? ''));
    const shown = from.slice(0, f.limit);
    const last = shown.at(-1);
    return {
      next: from.length > f.limit && last ? last.timeEntryId : null,
      rows: shown.map((e) => ({
        key: e.timeEntryId, system: 'portal', what: `time_entry ${e.timeEntryId} (${e.workDate})`,
        reason: e.reason === 'no_approver'
          ? `no valid approver at worksite ${e.worksiteId ?? '(none)'}${e.waitingHours === null ? '' : `, waiting ${e.waitingHours} h`}`
          : `approved after the cutoff, held until ${e.heldUntil ?? '?'}`,
        since: e.since ?? '', href: recordHref('time_entry', e.timeEntryId),
        actions: e.reason === 'held_after_cutoff' ? [{ label: 'release to payroll now', path: '/console/exceptions/time/release', action: 'time.operate', fields: { timeEntryId: e.timeEntryId } }] : [],
      })),
    };
  },
};

/** Rejected ledger rows: the partial index `ledger_exceptions` keeps this a short walk. */
const rejectedRows: ExceptionSource = {
  kind: 'rejected_rows', title: 'Rejected rows (ledger)',
  help: 'Changes the engine refused (invalid values, a rule). Fix the source record; its next delivery is evaluated again.',
  count: async (store) => (await store.query.value<number>("SELECT count(*) FROM ledger WHERE outcome = 'rejected'")) ?? 0,
  async list(store, f) {
    const entries = await store.repos.ledger.query({
      outcome: 'rejected', newestFirst: true, limit: f.limit + 1,
      ...(f.system === undefined ? {} : { system: f.system }), ...(f.after === undefined ? {} : { beforeSeq: Number(f.after) }),
    });
    const shown = entries.slice(0, f.limit);
    const last = shown.at(-1);
    return {
      next: entries.length > f.limit && last?.seq !== undefined ? String(last.seq) : null,
      rows: shown.map((e) => ({
        key: String(e.seq ?? 0), system: e.system, what: `${e.entity} ${e.externalId ?? e.canonicalId ?? ''}`,
        reason: e.reason ?? '', since: e.at,
        href: e.canonicalId === null ? `/console/ledger?outcome=rejected&entity=${encodeURIComponent(e.entity)}` : recordHref(e.entity, e.canonicalId),
        actions: e.externalId === null ? [] : [{
          label: 're-evaluate on next delivery', path: '/console/exceptions/links/retry', action: 'sync.operate',
          fields: { system: e.system, entity: e.entity, externalId: e.externalId },
        }],
      })),
    };
  },
};

/**
 * Every kind of exception the screen lists, in order. Extension point: time without a valid
 * approver and disputes append a source here (with their own resolving action) and appear.
 */
export const exceptionSources: ExceptionSource[] = [
  timeExceptions,
  identityReviews,
  linkSource('held', 'Held records', 'Waiting for a record they refer to (a candidate before its placement). They apply by themselves when it arrives.'),
  linkSource('parked', 'Parked records', 'Waiting on a decision in the identity review queue above.'),
  linkSource('rejected', 'Rejected records', 'Refused by a mapping or a rule; fix the source, then re-evaluate.'),
  rejectedRows,
];
