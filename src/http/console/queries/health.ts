import type { RunRow, Store } from '../../../store/index.ts';

/** One system's row on the health home. */
export interface SystemHealth {
  readonly system: string;
  readonly state: 'ok' | 'degraded' | 'failing' | 'unknown';
  readonly lastSuccess: string | null;
  /** Seconds since the last successful pull (null: never). */
  readonly lagSeconds: number | null;
  /** Failed share of the last RECENT_RUNS runs, 0..1 (null: no runs). */
  readonly errorRate: number | null;
  /** Vendor requests used of those allowed, from the newest report that says (null: not known). */
  readonly budget: { readonly used: number; readonly allowed: number | null } | null;
  readonly lastRun: RunRow | null;
}

/** A problem a check sees now, for one system. */
export interface IssueFinding {
  readonly system: string;
  readonly title: string;
  readonly detail: string;
}

/** What a check may look at besides the store: the mapping files' check result, when configured. */
export interface IssueContext {
  readonly mappingErrors?: () => ReadonlyArray<{ readonly file: string; readonly systems: readonly string[]; readonly message: string }>;
}

/** A condition that opens a durable issue while it holds and resolves it when it clears. */
export interface IssueCheck {
  readonly check: string;
  find(store: Store, systems: readonly string[], now: string, context: IssueContext): Promise<IssueFinding[]>;
}

export interface OpsIssue {
  readonly id: string;
  readonly check: string;
  readonly system: string;
  readonly title: string;
  readonly detail: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly count: number;
  readonly resolvedAt: string | null;
}

const RECENT_RUNS = 20;
/** No delivery for this long from a system that used to send them: its webhooks have stopped. */
export const WEBHOOK_SILENCE_MS = 6 * 3600_000;
/** Orphans plus repairs above this share of the records a reconciliation saw: drift. */
export const DRIFT_THRESHOLD = 0.05;

type Raw = Record<string, string | number | null>;
const str = (v: string | number | null | undefined): string => (v === null || v === undefined ? '' : String(v));

const CREDENTIAL_ERROR = /\b(401|403)\b|unauthori[sz]ed|forbidden|credential|invalid[_ ]grant|token (expired|revoked)/i;

const credentialsFailing: IssueCheck = {
  check: 'credentials_failing',
  async find(store, systems) {
    const out: IssueFinding[] = [];
    for (const system of systems) {
      const run = await store.query.get<Raw>("SELECT status, error FROM runs WHERE system = ? AND kind IN ('pull', 'reconcile') ORDER BY started_at DESC, id DESC LIMIT 1", [system]);
      const error = str(run?.['error']);
      if (run?.['status'] === 'failed' && CREDENTIAL_ERROR.test(error)) out.push({ system, title: 'Credentials failing', detail: error.slice(0, 300) });
    }
    return out;
  },
};

const webhooksStopped: IssueCheck = {
  check: 'webhooks_stopped',
  async find(store, systems, now) {
    const out: IssueFinding[] = [];
    for (const system of systems) {
      const last = (await store.query.value<string | null>('SELECT max(received_at) FROM inbox WHERE system = ?', [system])) ?? null;
      if (last !== null && Date.parse(now) - Date.parse(last) > WEBHOOK_SILENCE_MS) {
        out.push({ system, title: 'Webhooks stopped', detail: `no delivery since ${last}` });
      }
    }
    return out;
  },
};

const outboxParked: IssueCheck = {
  check: 'outbox_parked',
  async find(store) {
    const rows = await store.query.all<Raw>("SELECT system, count(*) AS n FROM outbox WHERE status = 'failed' GROUP BY system ORDER BY system");
    return rows.map((r) => ({ system: str(r['system']), title: 'Outbox parked', detail: `${str(r['n'])} push(es) parked after a vendor refusal` }));
  },
};

const inboxFailed: IssueCheck = {
  check: 'inbox_failed',
  async find(store) {
    const rows = await store.query.all<Raw>("SELECT system, count(*) AS n FROM inbox WHERE status = 'failed' GROUP BY system ORDER BY system");
    return rows.map((r) => ({ system: str(r['system']), title: 'Webhook deliveries failing', detail: `${str(r['n'])} delivery(ies) failed processing` }));
  },
};

const reconcileDrift: IssueCheck = {
  check: 'reconcile_drift',
  async find(store, systems) {
    const out: IssueFinding[] = [];
    for (const system of systems) {
      const raw = await store.query.value<string | null>("SELECT counts FROM runs WHERE system = ? AND kind = 'reconcile' AND status <> 'running' ORDER BY started_at DESC, id DESC LIMIT 1", [system]);
      if (raw === null || raw === undefined) continue;
      const counts = JSON.parse(raw) as Record<string, number>;
      const seen = counts['seen'] ?? 0;
      const drift = (counts['orphans'] ?? 0) + (counts['repaired'] ?? 0) + (counts['tombstoned'] ?? 0);
      if (seen > 0 && drift / seen > DRIFT_THRESHOLD) {
        out.push({ system, title: 'Reconcile drift above threshold', detail: `${drift} of ${seen} records drifted (threshold ${DRIFT_THRESHOLD * 100}%)` });
      }
    }
    return out;
  },
};

const mappingInvalid: IssueCheck = {
  check: 'mapping_invalid',
  async find(_store, _systems, _now, context) {
    const errors = context.mappingErrors?.() ?? [];
    const bySystem = new Map<string, string[]>();
    for (const e of errors) for (const system of e.systems.length > 0 ? e.systems : ['mappings']) bySystem.set(system, [...(bySystem.get(system) ?? []), `${e.file}: ${e.message}`]);
    return [...bySystem].map(([system, lines]) => ({ system, title: 'Mapping invalid', detail: lines.join('; ').slice(0, 300) }));
  },
};

/**
 * The conditions that open an ops issue. Extension point: a missing-approver backlog or a dispute
 * queue appends a check here.
 */
export const issueChecks: IssueCheck[] = [credentialsFailing, webhooksStopped, mappingInvalid, outboxParked, inboxFailed, reconcileDrift];

/**
 * Runs every check and brings `ops_issues` up to date in one unit of work: a finding with an open
 * row refreshes it (last seen, count + 1), a new one opens a row, an open row whose condition
 * cleared is resolved. Called on each load of the health home (and safe to call from the scheduler).
 */
export async function evaluateIssues(store: Store, systems: readonly string[], now: string, context: IssueContext = {}, checks: readonly IssueCheck[] = issueChecks): Promise<void> {
  const found = new Map<string, IssueFinding & { key: string; check: string }>();
  for (const c of checks) for (const f of await c.find(store, systems, now, context)) found.set(`${c.check}:${f.system}`, { ...f, key: `${c.check}:${f.system}`, check: c.check });
  await store.unitOfWork(async (tx) => {
    const open = await tx.opsIssues.openByKey();
    for (const [key, f] of found) {
      const id = open.get(key);
      if (id !== undefined) await tx.opsIssues.refresh(id, f.detail, now);
      else await tx.opsIssues.open(f, now);
    }
    for (const [key, id] of open) if (!found.has(key)) await tx.opsIssues.resolve(id, now);
  });
}

function toIssue(r: Raw): OpsIssue {
  return {
    id: str(r['id']), check: str(r['check']), system: str(r['system']), title: str(r['title']), detail: str(r['detail']),
    firstSeen: str(r['first_seen']), lastSeen: str(r['last_seen']), count: Number(r['count']),
    resolvedAt: r['resolved_at'] === null ? null : str(r['resolved_at']),
  };
}

/** Open issues, and the most recently resolved ones (newest first, at most `resolvedLimit`). */
export async function listIssues(store: Store, resolvedLimit: number): Promise<{ open: OpsIssue[]; resolved: OpsIssue[] }> {
  const open = (await store.query.all<Raw>('SELECT * FROM ops_issues WHERE resolved_at IS NULL ORDER BY first_seen, id')).map(toIssue);
  const resolved = (await store.query.all<Raw>('SELECT * FROM ops_issues WHERE resolved_at IS NOT NULL ORDER BY resolved_at DESC, id DESC LIMIT ?', [resolvedLimit])).map(toIssue);
  return { open, resolved };
}

function budgetOf(report: unknown): SystemHealth['budget'] {
  if (typeof report !== 'object' || report === null || !('requests' in report)) return null;
  const r = (report).requests;
  if (typeof r !== 'object' || r === null) return null;
  const { used, allowed } = r as { used?: unknown; allowed?: unknown };
  return typeof used === 'number' ? { used, allowed: typeof allowed === 'number' ? allowed : null } : null;
}

/** One row per system: state, last success, lag, error rate and the request budget. */
export async function systemHealth(store: Store, systems: readonly string[], openIssues: readonly OpsIssue[], now: string): Promise<SystemHealth[]> {
  const out: SystemHealth[] = [];
  for (const system of systems) {
    const recent = await store.repos.runs.page({ system, limit: RECENT_RUNS });
    const lastRun = recent[0] ?? null;
    const success = await store.repos.runs.latest('pull', system, ['succeeded', 'partial']);
    const lastSuccess = success?.finishedAt ?? null;
    const finished = recent.filter((r) => r.status !== 'running');
    const failed = finished.filter((r) => r.status === 'failed').length;
    const issues = openIssues.filter((i) => i.system === system).length;
    const budget = recent.map((r) => budgetOf(r.report)).find((b) => b !== null) ?? null;
    out.push({
      system,
      state: lastRun === null ? 'unknown' : lastRun.status === 'failed' ? 'failing' : issues > 0 ? 'degraded' : 'ok',
      lastSuccess,
      lagSeconds: lastSuccess === null ? null : Math.max(0, Math.round((Date.parse(now) - Date.parse(lastSuccess)) / 1000)),
      errorRate: finished.length === 0 ? null : failed / finished.length,
      budget,
      lastRun,
    });
  }
  return out;
}
