import type { Hono } from 'hono';
import { z } from 'zod';
import { ENTITIES, entityFields, Id, isEntityName } from '../../../model/index.ts';
import type { ConsoleEnv, ResolvedConsoleDeps } from '../deps.ts';
import { ConsoleError } from '../errors.ts';
import { hrefWith, isInternal, recordLabel, recordLink, tag, time, value } from '../format.ts';
import { h } from '../html.ts';
import { parsePath, parseQuery } from '../input.ts';
import { render } from '../respond.ts';
import { ledgerTable } from './ledger.ts';

/** How many of the record's ledger entries the page shows, newest first. */
const LEDGER_ENTRIES = 50;
const OUTBOX_ROWS = 20;

const RecordPath = z.strictObject({ entity: z.string().max(64), id: Id });

/** `/console/records/:entity/:id`: one canonical record with its links, open conflicts, pushes and ledger. */
export function registerRecord(app: Hono<ConsoleEnv>, deps: ResolvedConsoleDeps): void {
  const { repos } = deps.store;

  app.get('/records/:entity/:id', async (c) => {
    const { entity, id } = parsePath(c, RecordPath);
    parseQuery(c, z.strictObject({}));
    if (!isEntityName(entity)) throw new ConsoleError(404, 'Not found', `There is no entity called ${entity}.`);
    const record = await repos.canonical.get(entity, id);
    if (!record) throw new ConsoleError(404, 'Not found', `${entity} ${id} was not found.`);
    const [links, conflicts, pushes, ledger] = await Promise.all([
      repos.links.byCanonical(entity, [id]),
      repos.conflicts.openFor(entity, id),
      repos.outbox.list({ entity, canonicalId: id, limit: OUTBOX_ROWS }),
      repos.ledger.latestFor(entity, id, LEDGER_ENTRIES),
    ]);
    const refs = ENTITIES[entity].refs;
    const fields = entityFields(entity).map((field) => {
      const v = record.fields[field] ?? null;
      const target = refs[field];
      return h`<tr><th>${field}${isInternal(entity, field) ? h` <span class="tag internal">internal</span>` : null}</th><td>${
        target !== undefined && typeof v === 'string' ? h`${recordLink(target, v, `${target} ${v}`)}` : value(v, field)
      }</td></tr>`;
    });
    const label = recordLabel(entity, record.fields);
    const body = h`<p class="muted">${entity} <code>${record.id}</code> · revision ${record.revision} · created ${time(record.createdAt)} · updated ${time(record.updatedAt)}${
      record.deletedAt === null ? null : h` · <span class="tag failed">deleted ${record.deletedAt}</span>`
    }</p>
<div class="grid"><section><h2>Fields</h2><p class="muted">Fields marked internal never reach a client.</p><table class="fields"><tbody>${fields}</tbody></table></section>
<section><h2>Links</h2>${links.length === 0 ? h`<p class="muted">Not linked to any system.</p>` : h`<table><thead><tr><th>system</th><th>external id</th><th>state</th><th>source modified</th><th>tombstoned</th><th>last agreed values</th></tr></thead><tbody>${links.map(
  (l) => h`<tr><td>${l.system}</td><td>${l.externalId}</td><td>${tag(l.state)}${l.reason === null ? null : h`<div class="muted">${l.reason}</div>`}</td><td>${time(l.sourceModifiedAt)}</td><td>${time(l.tombstonedAt)}</td><td>${
    l.base === null ? h`<span class="null">none</span>` : h`<details><summary>${Object.keys(l.base).length} fields</summary><table><tbody>${Object.entries(l.base).map(([f, v]) => h`<tr><th>${f}</th><td>${value(v, f)}</td></tr>`)}</tbody></table></details>`
  }</td></tr>`,
)}</tbody></table>`}</section></div>
<section><h2>Open conflicts</h2>${conflicts.length === 0 ? h`<p class="muted">None.</p>` : h`<table><thead><tr><th>field</th><th>system</th><th>base</th><th>current</th><th>incoming</th><th>opened</th></tr></thead><tbody>${conflicts.map(
  (k) => h`<tr><td>${k.field}</td><td>${k.system}</td><td>${value(k.base, k.field)}</td><td>${value(record.fields[k.field] ?? null, k.field)}</td><td>${value(k.incoming, k.field)}</td><td>${time(k.openedAt)}</td></tr>`,
)}</tbody></table><p><a href="${hrefWith('/console/conflicts', { entity, canonicalId: id })}">Resolve these on the conflicts page</a></p>`}</section>
<section><h2>Pushes</h2>${pushes.length === 0 ? h`<p class="muted">None.</p>` : h`<table><thead><tr><th>system</th><th>status</th><th>fields</th><th>attempts</th><th>error</th><th>updated</th></tr></thead><tbody>${pushes.map(
  (p) => h`<tr><td>${p.system}</td><td>${tag(p.status)}</td><td>${p.fields.join(', ')}</td><td class="num">${p.attempts}</td><td>${p.lastError ?? ''}</td><td>${time(p.updatedAt)}</td></tr>`,
)}</tbody></table>`}</section>
<section><h2>Ledger (latest ${LEDGER_ENTRIES}, newest first)</h2>${ledgerTable(ledger, true)}
<p><a href="${hrefWith('/console/ledger', { entity, canonicalId: id })}">All ledger entries of this record</a></p></section>`;
    return render(c, label === null ? `${entity} ${id}` : `${entity}: ${label}`, 'records', body);
  });
}
