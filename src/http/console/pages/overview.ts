import type { Hono } from 'hono';
import { z } from 'zod';
import { ENTITY_NAMES } from '../../../model/index.ts';
import type { RunKind, RunRow } from '../../../store/index.ts';
import type { ConsoleEnv, ResolvedConsoleDeps } from '../deps.ts';
import { hrefWith, runHref, tag, time } from '../format.ts';
import { h, type SafeHtml } from '../html.ts';
import { parseQuery } from '../input.ts';
import { checkMappings } from '../../../mapping/check.ts';
import { evaluateIssues, listIssues, systemHealth, type IssueContext, type OpsIssue, type SystemHealth } from '../queries/health.ts';
import { render } from '../respond.ts';

/** How many recent runs name the systems when the deps do not list them. */
const SYSTEM_DISCOVERY_RUNS = 200;

const ALL_STATUSES = ['running', 'succeeded', 'failed', 'partial'] as const;

async function systemIds(deps: ResolvedConsoleDeps): Promise<string[]> {
  if (deps.systems) return deps.systems.map((s) => s.id);
  const runs = await deps.store.repos.runs.page({ limit: SYSTEM_DISCOVERY_RUNS });
  return [...new Set(runs.map((r) => r.system))].sort();
}

function lastRun(run: RunRow | null): SafeHtml {
  if (!run) return h`<span class="muted">never</span>`;
  return h`<a href="${runHref(run.id)}">${tag(run.status)}</a> ${time(run.finishedAt ?? run.startedAt)}${run.error ? h` <span class="muted">${run.error.slice(0, 120)}</span>` : null}`;
}

function countTable(title: string, map: Readonly<Record<string, number>>, link?: (key: string) => string | null): SafeHtml {
  const rows = Object.entries(map);
  return h`<section><h2>${title}</h2><table><caption class="sr">${title}</caption><tbody>${
    rows.length === 0
      ? h`<tr><td class="muted">none</td></tr>`
      : rows.map(([key, n]) => {
          const href = link?.(key) ?? null;
          return h`<tr><th>${href === null ? key : h`<a href="${href}">${key}</a>`}</th><td class="num">${n}</td></tr>`;
        })
  }</tbody></table></section>`;
}

function lag(seconds: number | null): string {
  if (seconds === null) return 'never';
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

function stateTag(state: SystemHealth['state']): SafeHtml {
  return h`<span class="${state === 'ok' ? 'state-ok' : state === 'unknown' ? 'muted' : 'state-bad'}">${state}</span>`;
}

function issueRows(issues: readonly OpsIssue[], resolved: boolean): SafeHtml {
  return h`${issues.map((i) => h`<tr data-issue="${i.check}:${i.system}"><td>${i.system}</td><td>${i.title}</td><td>${i.detail}</td><td>${time(i.firstSeen)}</td><td>${time(i.lastSeen)}</td><td class="num">${i.count}</td>${resolved ? h`<td>${time(i.resolvedAt)}</td>` : null}</tr>`)}`;
}

/** How many resolved issues the home lists under the open ones. */
const RESOLVED_SHOWN = 10;

/**
 * `/console`: the health home. One row per system (state, last success, lag, error rate, request
 * budget), the durable ops issues (evaluated on each load: opened, refreshed or resolved), and what
 * the hub holds at a glance.
 */
export function registerOverview(app: Hono<ConsoleEnv>, deps: ResolvedConsoleDeps): void {
  const { repos } = deps.store;
  // The mapping files are read again at most once a minute (they change by deploy, not by request).
  let mappingCheck: { at: number; errors: ReturnType<NonNullable<IssueContext['mappingErrors']>> } | null = null;
  const context: IssueContext = deps.mappings === undefined ? {} : {
    mappingErrors: () => {
      const config = deps.mappings;
      if (config === undefined) return [];
      if (mappingCheck === null || Date.now() - mappingCheck.at > 60_000) {
        const report = checkMappings(config.dir, config.systems);
        const systemsOf = new Map(report.files.map((f) => [f.file, f.systems]));
        mappingCheck = { at: Date.now(), errors: report.errors.map((e) => ({ file: e.file, systems: systemsOf.get(e.file) ?? [], message: e.message })) };
      }
      return mappingCheck.errors;
    },
  };
  app.get('/', async (c) => {
    parseQuery(c, z.strictObject({}));
    const now = deps.now();
    const ids = await systemIds(deps);
    await evaluateIssues(deps.store, ids, now, context);
    const issues = await listIssues(deps.store, RESOLVED_SHOWN);
    const health = await systemHealth(deps.store, ids, issues.open, now);
    const canonical: Record<string, number> = {};
    for (const entity of ENTITY_NAMES) canonical[entity] = await repos.canonical.count(entity);
    const [openConflicts, outbox, inbox, links, reviews] = await Promise.all([
      repos.conflicts.countOpen(), repos.outbox.countByStatus(), repos.inbox.countByStatus(), repos.links.countByState(), repos.identity.countOpen(),
    ]);
    const systems: SafeHtml[] = [];
    for (const s of health) {
      const system = s.system;
      const latest = (kind: RunKind) => repos.runs.latest(kind, system, ALL_STATUSES);
      const [pull, reconcile, linkCount] = await Promise.all([latest('pull'), latest('reconcile'), repos.links.count(system)]);
      systems.push(h`<tr data-system="${system}"><th scope="row"><a href="${hrefWith('/console/runs', { system })}">${system}</a></th><td>${stateTag(s.state)}</td><td>${time(s.lastSuccess)}</td><td>${lag(s.lagSeconds)}</td>
<td class="num">${s.errorRate === null ? '—' : `${Math.round(s.errorRate * 100)}%`}</td><td>${s.budget === null ? h`<span class="muted">not known</span>` : `${s.budget.used}${s.budget.allowed === null ? '' : ` of ${s.budget.allowed}`}`}</td>
<td class="num">${linkCount}</td><td>${lastRun(pull)}</td><td>${lastRun(reconcile)}</td></tr>`);
    }
    const parked = outbox['failed'] ?? 0;
    const body = h`
<p><a href="/console/conflicts"><strong>${openConflicts}</strong> open conflict${openConflicts === 1 ? '' : 's'}</a> ·
<a href="/console/outbox"><strong>${parked}</strong> parked push${parked === 1 ? '' : 'es'}</a> ·
<a href="/console/exceptions"><strong>${reviews}</strong> identit${reviews === 1 ? 'y' : 'ies'} to review, <strong>${links['held'] ?? 0}</strong> held and <strong>${links['parked'] ?? 0}</strong> parked record${(links['parked'] ?? 0) === 1 ? '' : 's'}</a></p>
<section><h2>Systems</h2><div class="scroll" tabindex="0"><table><caption class="sr">One row per system</caption><thead><tr><th scope="col">system</th><th scope="col">state</th><th scope="col">last success</th><th scope="col">lag</th><th scope="col">error rate (last 20 runs)</th><th scope="col">request budget used</th><th scope="col">links</th><th scope="col">last pull</th><th scope="col">last reconcile</th></tr></thead><tbody>${
      systems.length === 0 ? h`<tr><td colspan="9" class="muted">no system has run yet</td></tr>` : systems
    }</tbody></table></div></section>
<section><h2>Issues</h2>${issues.open.length === 0 ? h`<p class="muted" role="status">No open issues.</p>` : h`<div class="scroll" tabindex="0"><table class="issues"><caption class="sr">Open issues, one per problem</caption><thead><tr><th scope="col">system</th><th scope="col">problem</th><th scope="col">detail</th><th scope="col">first seen</th><th scope="col">last seen</th><th scope="col">count</th></tr></thead><tbody>${issueRows(issues.open, false)}</tbody></table></div>`}
${issues.resolved.length === 0 ? null : h`<details><summary>Recently resolved (${issues.resolved.length})</summary><table><caption class="sr">Resolved issues</caption><thead><tr><th scope="col">system</th><th scope="col">problem</th><th scope="col">detail</th><th scope="col">first seen</th><th scope="col">last seen</th><th scope="col">count</th><th scope="col">resolved</th></tr></thead><tbody>${issueRows(issues.resolved, true)}</tbody></table></details>`}</section>
<div class="grid">
${countTable('Canonical records', canonical)}
${countTable('Outbox by status', outbox, (status) => hrefWith('/console/outbox', { status }))}
${countTable('Inbox by status', inbox, (status) => hrefWith('/console/inbox', { status }))}
${countTable('Links by state', links)}
</div>`;
    return render(c, 'Health', 'overview', body);
  });
}
