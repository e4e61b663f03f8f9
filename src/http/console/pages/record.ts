import type { Hono } from 'hono';
import { z } from 'zod';
import { ENTITIES, entityFields, Id, isEntityName, type EntityName } from '../../../model/index.ts';
import type { CanonicalRow, Store } from '../../../store/index.ts';
import type { ConsoleEnv, ResolvedConsoleDeps } from '../deps.ts';
import { ConsoleError } from '../errors.ts';
import { hrefWith, isInternal, isPayData, recordHref, recordLabel, recordLink, tag, time, value } from '../format.ts';
import { h, type Part, type SafeHtml } from '../html.ts';
import { parsePath, parseQuery } from '../input.ts';
import { contactView, provenance, timeHistory } from '../queries/record.ts';
import { maySeePay } from '../roles.ts';
import { render } from '../respond.ts';
import { ledgerTable } from './ledger.ts';

/** How many of the record's ledger entries the page shows, newest first. */
const LEDGER_ENTRIES = 50;
const OUTBOX_ROWS = 20;
const TIME_ROWS = 30;

const RecordPath = z.strictObject({ entity: z.string().max(64), id: Id });

/** What a record section gets: the record, the store, and whether the viewer may see pay data. */
export interface RecordSectionInput {
  readonly store: Store;
  readonly entity: EntityName;
  readonly record: CanonicalRow;
  readonly showPay: boolean;
}

/** An extra section of the record page: null when it has nothing to say for this record. */
export interface RecordSection {
  readonly name: string;
  render(input: RecordSectionInput): Promise<SafeHtml | null>;
}

const timeEntries: RecordSection = {
  name: 'time entries',
  async render({ store, entity, record }) {
    if (entity !== 'assignment' && entity !== 'time_entry') return null;
    const rows = await timeHistory(store, entity, record.id, TIME_ROWS);
    const title = entity === 'assignment' ? 'Time entries' : 'Time entry history';
    if (rows.length === 0) return h`<section><h2>${title}</h2><p class="muted">None.</p></section>`;
    return h`<section><h2>${title}</h2><div class="scroll" tabindex="0"><table><caption class="sr">${title}</caption><thead><tr><th scope="col">${entity === 'assignment' ? 'work date' : 'at'}</th><th scope="col">status</th>${entity === 'assignment' ? h`<th scope="col">hours (reg / OT / DT)</th><th scope="col">approved by</th>` : h`<th scope="col">by</th><th scope="col">comment</th>`}</tr></thead><tbody>${rows.map(
      (r) => h`<tr><td>${r.entity === 'time_entry' ? h`<a href="${recordHref('time_entry', r.id)}">${r.date}</a>` : time(r.date)}</td><td>${r.status}</td>${r.entity === 'time_entry' ? h`<td>${r.hours}</td><td>${r.by}</td>` : h`<td>${r.by}</td><td>${r.note}</td>`}</tr>`,
    )}</tbody></table></div></section>`;
  },
};

const DOCUMENT_ROWS = 30;
const COMMENT_ROWS = 50;

/** Documents attached to the record, newest version each, internal ones marked (ops see both kinds). */
const documents: RecordSection = {
  name: 'documents',
  async render({ store, entity, record }) {
    const docs = await store.repos.canonical.list('document', { where: { ownerEntity: entity, ownerId: record.id }, limit: DOCUMENT_ROWS });
    if (docs.length === 0) return null;
    return h`<section><h2>Documents</h2><div class="scroll" tabindex="0"><table><caption class="sr">Documents of this record</caption><thead><tr><th scope="col">title</th><th scope="col">type</th><th scope="col">version</th><th scope="col">visibility</th><th scope="col">updated</th></tr></thead><tbody>${docs.map(
      (d) => h`<tr><td><a href="${recordHref('document', d.id)}">${String(d.fields['title'] ?? d.id)}</a></td><td>${String(d.fields['type'] ?? '')}</td><td>${String(d.fields['version'] ?? '')}</td><td>${tag(String(d.fields['visibility'] ?? ''))}</td><td>${time(d.updatedAt)}</td></tr>`,
    )}</tbody></table></div></section>`;
  },
};

/** Comments on the record, internal ones included and marked, deleted ones shown as deleted. */
const comments: RecordSection = {
  name: 'comments',
  async render({ store, entity, record }) {
    const rows = (await store.repos.comments.forRecord(entity, record.id, false)).slice(-COMMENT_ROWS);
    if (rows.length === 0) return null;
    return h`<section><h2>Comments</h2><div class="scroll" tabindex="0"><table><caption class="sr">Comments on this record</caption><thead><tr><th scope="col">at</th><th scope="col">by</th><th scope="col">visibility</th><th scope="col">comment</th></tr></thead><tbody>${rows.map(
      (r) => h`<tr><td>${time(r.createdAt)}</td><td>${r.author}</td><td>${tag(r.visibility)}</td><td>${r.deletedAt === null ? r.body : h`<span class="muted">deleted ${time(r.deletedAt)} by ${r.deletedBy ?? ''}</span>`}${r.revision > 1 ? h` <span class="muted">(edited)</span>` : null}</td></tr>`,
    )}</tbody></table></div></section>`;
  },
};

/** Sections below the core of the record page (fields, links, conflicts, pushes, ledger). */
export const recordSections: RecordSection[] = [timeEntries, documents, comments];

/** `/console/records/:entity/:id`: one canonical record with provenance, links, conflicts, pushes, time, ledger and the contact's view. */
export function registerRecord(app: Hono<ConsoleEnv>, deps: ResolvedConsoleDeps): void {
  const { store } = deps;
  const { repos } = store;

  app.get('/records/:entity/:id', async (c) => {
    const { entity, id } = parsePath(c, RecordPath);
    parseQuery(c, z.strictObject({}));
    if (!isEntityName(entity)) throw new ConsoleError(404, 'Not found', `There is no entity called ${entity}.`);
    const record = await repos.canonical.get(entity, id);
    if (!record) throw new ConsoleError(404, 'Not found', `${entity} ${id} was not found.`);
    const showPay = maySeePay(c.get('consoleSignedIn').role);
    const [links, conflicts, pushes, ledger, origin] = await Promise.all([
      repos.links.byCanonical(entity, [id]),
      repos.conflicts.openFor(entity, id),
      repos.outbox.list({ entity, canonicalId: id, limit: OUTBOX_ROWS }),
      repos.ledger.latestFor(entity, id, LEDGER_ENTRIES),
      provenance(store, entity, id),
    ]);
    const contact = contactView(entity);
    const refs = ENTITIES[entity].refs;
    const shown = (field: string, v: CanonicalRow['fields'][string] | undefined): Part => {
      if (!showPay && isPayData(entity, field)) return h`<span class="tag internal">pay data hidden for your role</span>`;
      const target = refs[field];
      return target !== undefined && typeof v === 'string' ? recordLink(target, v, `${target} ${v}`) : value(v ?? null, field);
    };
    const fields = entityFields(entity).map((field) => {
      const p = origin.get(field);
      const sees = contact.plain.has(field) ? 'yes' : contact.billing.has(field) ? 'billing role only' : 'never';
      return h`<tr><th scope="row">${field}${isInternal(entity, field) ? h` <span class="tag internal">internal</span>` : null}</th><td>${shown(field, record.fields[field])}</td>
<td>${p === undefined ? h`<span class="muted">not in the recent ledger</span>` : h`${p.by} <span class="muted">at</span> ${time(p.at)} <a href="${hrefWith('/console/ledger', { entity, canonicalId: id, before: p.seq + 1 })}" aria-label="ledger row ${p.seq} for ${field}">#${p.seq}</a>`}</td>
<td>${sees}</td></tr>`;
    });
    const contactFields = entityFields(entity).filter((f) => contact.plain.has(f));
    const extra: SafeHtml[] = [];
    for (const section of recordSections) {
      const part = await section.render({ store, entity, record, showPay });
      if (part !== null) extra.push(part);
    }
    const label = recordLabel(entity, record.fields);
    const body = h`<p class="muted">${entity} <code>${record.id}</code> · revision ${record.revision} · created ${time(record.createdAt)} · updated ${time(record.updatedAt)}${
      record.deletedAt === null ? null : h` · <span class="tag failed">deleted ${record.deletedAt}</span>`
    }</p>
<section><h2>Fields and where they came from</h2><p class="muted">Fields marked internal never reach a client. "Set by" is the newest applied change in the ledger: a system, or the person who decided.</p>
<div class="scroll" tabindex="0"><table class="fields"><caption class="sr">Fields of ${entity} ${id}</caption><thead><tr><th scope="col">field</th><th scope="col">value</th><th scope="col">set by</th><th scope="col">a contact sees it</th></tr></thead><tbody>${fields}</tbody></table></div></section>
<section><h2>Links</h2>${links.length === 0 ? h`<p class="muted">Not linked to any system.</p>` : h`<div class="scroll" tabindex="0"><table><caption class="sr">Links of this record</caption><thead><tr><th scope="col">system</th><th scope="col">external id</th><th scope="col">state</th><th scope="col">source modified</th><th scope="col">tombstoned</th><th scope="col">last agreed values</th></tr></thead><tbody>${links.map(
  (l) => h`<tr><td>${l.system}</td><td><a href="${hrefWith('/console/search', { q: l.externalId })}">${l.externalId}</a></td><td>${tag(l.state)}${l.reason === null ? null : h`<div class="muted">${l.reason}</div>`}</td><td>${time(l.sourceModifiedAt)}</td><td>${time(l.tombstonedAt)}</td><td>${
    l.base === null ? h`<span class="null">none</span>` : h`<details><summary>${Object.keys(l.base).length} fields</summary><table><tbody>${Object.entries(l.base).map(([f, v]) => h`<tr><th scope="row">${f}</th><td>${shown(f, v)}</td></tr>`)}</tbody></table></details>`
  }</td></tr>`,
)}</tbody></table></div>`}</section>
<section><h2>Open conflicts</h2>${conflicts.length === 0 ? h`<p class="muted">None.</p>` : h`<div class="scroll" tabindex="0"><table><caption class="sr">Open conflicts</caption><thead><tr><th scope="col">field</th><th scope="col">system</th><th scope="col">base</th><th scope="col">current</th><th scope="col">incoming</th><th scope="col">opened</th></tr></thead><tbody>${conflicts.map(
  (k) => h`<tr><td>${k.field}</td><td>${k.system}</td><td>${shown(k.field, k.base)}</td><td>${shown(k.field, record.fields[k.field])}</td><td>${shown(k.field, k.incoming)}</td><td>${time(k.openedAt)}</td></tr>`,
)}</tbody></table></div><p><a href="${hrefWith('/console/conflicts', { entity, canonicalId: id })}">Resolve these on the conflicts page</a></p>`}</section>
<section><h2>Outbox</h2>${pushes.length === 0 ? h`<p class="muted">None.</p>` : h`<div class="scroll" tabindex="0"><table><caption class="sr">Pushes of this record</caption><thead><tr><th scope="col">system</th><th scope="col">status</th><th scope="col">fields</th><th scope="col">attempts</th><th scope="col">error</th><th scope="col">updated</th></tr></thead><tbody>${pushes.map(
  (p) => h`<tr><td>${p.system}</td><td>${tag(p.status)}</td><td>${p.fields.join(', ')}</td><td class="num">${p.attempts}</td><td>${p.lastError ?? ''}</td><td>${time(p.updatedAt)}</td></tr>`,
)}</tbody></table></div>`}</section>
${extra}
<section><h2>As a contact would see it</h2><p class="muted">The fields the portal API returns to a client contact (the access policy's visible fields; bill rates only with a billing role).</p>
${contactFields.length === 0 ? h`<p class="muted">A contact sees nothing of this record.</p>` : h`<dl class="kv contact-view">${contactFields.map((f) => h`<dt>${f}</dt><dd>${value(record.fields[f] ?? null, f)}</dd>`)}</dl>`}
${entity === 'contact' ? h`<p><a href="${hrefWith('/console/access', { viewAs: id })}">View the portal as this contact</a></p>` : null}</section>
<section><h2>Ledger (latest ${LEDGER_ENTRIES}, newest first)</h2>${ledgerTable(ledger, showPay)}
<p><a href="${hrefWith('/console/ledger', { entity, canonicalId: id })}">All ledger entries of this record</a></p></section>`;
    return render(c, label === null ? `${entity} ${id}` : `${entity}: ${label}`, 'records', body);
  });
}
