import { ENTITY_NAMES } from '../../model/index.ts';
import type { ResolvedDeps } from '../deps.ts';
import { byKey, type Family, type Sample } from './exposition.ts';

const OUTCOMES = ['applied', 'conflict', 'rejected', 'failed'];
const OUTBOX_STATUSES = ['pending', 'processing', 'done', 'failed'];
const INBOX_STATUSES = ['pending', 'done', 'failed', 'ignored'];
const LINK_STATES = ['linked', 'held', 'rejected', 'parked'];

const perSystem = (deps: ResolvedDeps, counter: ReadonlyMap<string, number>): Sample[] =>
  byKey('system', deps.systems.map((s) => s.id), Object.fromEntries(counter));

/**
 * The hub's state as metric families, read through the repositories. Counts come from GROUP BY
 * queries over indexed columns; canonical rows are counted including soft-deleted ones, which
 * SQLite answers from an index instead of a table scan.
 */
export async function collectMetrics(deps: ResolvedDeps): Promise<Family[]> {
  const { ledger, conflicts, outbox, inbox, links, runs, canonical, identity } = deps.store.repos;
  const [byOutcome, openConflicts, openIdentity, outboxByStatus, inboxByStatus, linksByState, runCounts] = await Promise.all([
    ledger.countByOutcome(),
    conflicts.countOpen(),
    identity.countOpen(),
    outbox.countByStatus(),
    inbox.countByStatus(),
    links.countByState(),
    runs.countByKindStatus(),
  ]);
  const entityRows: Sample[] = [];
  for (const entity of ENTITY_NAMES) entityRows.push({ labels: { entity }, value: await canonical.count(entity, true) });
  const lastSuccess: Sample[] = [];
  for (const system of deps.systems) {
    for (const kind of ['pull', 'reconcile'] as const) {
      const run = await runs.latest(kind, system.id, ['succeeded']);
      const at = run?.finishedAt ? Date.parse(run.finishedAt) : NaN;
      if (!Number.isNaN(at)) lastSuccess.push({ labels: { system: system.id, kind }, value: at / 1000 });
    }
  }
  const responses = [...deps.counters.httpResponses.values()].map((r) => ({
    labels: { method: r.method, route: r.route, status: String(r.status) },
    value: r.count,
  }));

  return [
    { name: 'crosswalk_ledger_entries', help: 'Ledger rows by outcome.', type: 'gauge', samples: byKey('outcome', OUTCOMES, byOutcome) },
    { name: 'crosswalk_conflicts_open', help: 'Conflicts waiting for a person.', type: 'gauge', samples: [{ value: openConflicts }] },
    {
      name: 'crosswalk_identity_reviews_open',
      help: 'Records from a new source waiting for a person to say which canonical record they are (crosswalk identity list).',
      type: 'gauge',
      samples: [{ value: openIdentity }],
    },
    { name: 'crosswalk_outbox_rows', help: 'Outbox rows by status.', type: 'gauge', samples: byKey('status', OUTBOX_STATUSES, outboxByStatus) },
    { name: 'crosswalk_inbox_rows', help: 'Inbox rows by status.', type: 'gauge', samples: byKey('status', INBOX_STATUSES, inboxByStatus) },
    { name: 'crosswalk_links', help: 'Links between external and canonical records by state.', type: 'gauge', samples: byKey('state', LINK_STATES, linksByState) },
    {
      name: 'crosswalk_runs',
      help: 'Pulls, reconciliations, imports and exports by kind and status.',
      type: 'gauge',
      samples: runCounts.map((r) => ({ labels: { kind: r.kind, status: r.status }, value: r.n })),
    },
    { name: 'crosswalk_canonical_rows', help: 'Canonical rows by entity, soft-deleted included.', type: 'gauge', samples: entityRows },
    {
      name: 'crosswalk_system_last_success_timestamp_seconds',
      help: 'When the last successful pull or reconciliation of a system finished (Unix time).',
      type: 'gauge',
      samples: lastSuccess,
    },
    {
      name: 'crosswalk_webhook_verify_failures_total',
      help: 'Webhook deliveries refused by signature verification since this process started.',
      type: 'counter',
      samples: perSystem(deps, deps.counters.webhookVerifyFailures),
    },
    {
      name: 'crosswalk_webhook_accepted_total',
      help: 'Webhook deliveries written to the inbox since this process started.',
      type: 'counter',
      samples: perSystem(deps, deps.counters.webhookAccepted),
    },
    {
      name: 'crosswalk_webhook_duplicates_total',
      help: 'Webhook deliveries already in the inbox since this process started.',
      type: 'counter',
      samples: perSystem(deps, deps.counters.webhookDuplicates),
    },
    {
      name: 'crosswalk_http_responses_total',
      help: 'HTTP responses served by this process, by method, route template and status.',
      type: 'counter',
      samples: responses,
    },
  ];
}
