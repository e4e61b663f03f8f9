import type { Hono } from 'hono';
import { z } from 'zod';
import { ENTITY_NAMES } from '../../../model/index.ts';
import type { RunKind, RunRow } from '../../../store/index.ts';
import type { ConsoleEnv, ResolvedConsoleDeps } from '../deps.ts';
import { hrefWith, runHref, tag, time } from '../format.ts';
import { h, type SafeHtml } from '../html.ts';
import { parseQuery } from '../input.ts';
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
  return h`<section><h2>${title}</h2><table><tbody>${
    rows.length === 0
      ? h`<tr><td class="muted">none</td></tr>`
      : rows.map(([key, n]) => {
          const href = link?.(key) ?? null;
          return h`<tr><th>${href === null ? key : h`<a href="${href}">${key}</a>`}</th><td class="num">${n}</td></tr>`;
        })
  }</tbody></table></section>`;
}

/** `/console`: what the hub holds and how each system's sync is doing, at a glance. */
export function registerOverview(app: Hono<ConsoleEnv>, deps: ResolvedConsoleDeps): void {
  const { repos } = deps.store;
  app.get('/', async (c) => {
    parseQuery(c, z.strictObject({}));
    const canonical: Record<string, number> = {};
    for (const entity of ENTITY_NAMES) canonical[entity] = await repos.canonical.count(entity);
    const [openConflicts, outbox, inbox, links] = await Promise.all([
      repos.conflicts.countOpen(), repos.outbox.countByStatus(), repos.inbox.countByStatus(), repos.links.countByState(),
    ]);
    const systems: SafeHtml[] = [];
    for (const system of await systemIds(deps)) {
      const latest = (kind: RunKind) => repos.runs.latest(kind, system, ALL_STATUSES);
      const [pull, reconcile, linkCount] = await Promise.all([latest('pull'), latest('reconcile'), repos.links.count(system)]);
      systems.push(h`<tr><th><a href="${hrefWith('/console/runs', { system })}">${system}</a></th><td class="num">${linkCount}</td><td>${lastRun(pull)}</td><td>${lastRun(reconcile)}</td></tr>`);
    }
    const parked = outbox['failed'] ?? 0;
    const body = h`
<p><a href="/console/conflicts"><strong>${openConflicts}</strong> open conflict${openConflicts === 1 ? '' : 's'}</a> ·
<a href="/console/outbox"><strong>${parked}</strong> parked push${parked === 1 ? '' : 'es'}</a> ·
<strong>${links['held'] ?? 0}</strong> held and <strong>${links['parked'] ?? 0}</strong> parked link${(links['parked'] ?? 0) === 1 ? '' : 's'}</p>
<section><h2>Systems</h2><table><thead><tr><th>system</th><th>links</th><th>last pull</th><th>last reconcile</th></tr></thead><tbody>${
      systems.length === 0 ? h`<tr><td colspan="4" class="muted">no system has run yet</td></tr>` : systems
    }</tbody></table></section>
<div class="grid">
${countTable('Canonical records', canonical)}
${countTable('Outbox by status', outbox, (status) => hrefWith('/console/outbox', { status }))}
${countTable('Inbox by status', inbox)}
${countTable('Links by state', links)}
</div>`;
    return render(c, 'Overview', 'overview', body);
  });
}
