import type { Hono } from 'hono';
import { z } from 'zod';
import { checkMappings } from '../../../mapping/check.ts';
import { writePath } from '../../../mapping/paths.ts';
import { previewMapping } from '../../../mapping/preview.ts';
import type { ConsoleEnv, ResolvedConsoleDeps } from '../deps.ts';
import { hrefWith, recordLink, tag, value } from '../format.ts';
import { h, type SafeHtml } from '../html.ts';
import { parseQuery } from '../input.ts';
import { newestLinked } from '../queries/mappings.ts';
import { render } from '../respond.ts';

const Query = z.strictObject({ system: z.string().max(100).optional(), entity: z.string().max(64).optional() });

/**
 * `/console/mappings` (read-only: mappings stay files): each mapping file's check result, and for
 * one mapping a live record mapped both ways — the newest linked canonical record mapped out to the
 * vendor's shape, and that shape mapped back in, as `crosswalk mappings preview` shows it.
 */
export function registerMappings(app: Hono<ConsoleEnv>, deps: ResolvedConsoleDeps): void {
  app.get('/mappings', async (c) => {
    const q = parseQuery(c, Query);
    const config = deps.mappings;
    if (config === undefined) return render(c, 'Mappings', 'mappings', h`<p class="muted">The mappings folder is not configured for this console.</p>`);
    const report = checkMappings(config.dir, config.systems);
    const compiled = config.registry.all();
    let preview: SafeHtml | null = null;
    if (q.system !== undefined && q.entity !== undefined) {
      const mapping = config.registry.get(q.system, q.entity);
      // The newest linked record of this system and entity: one live example.
      const row = mapping === undefined ? undefined
        : await newestLinked(deps.store, q.system, mapping.entity);
      const canonicalId = row?.canonicalId;
      const externalId = row?.externalId;
      const record = mapping === undefined || canonicalId === undefined ? null : await deps.store.repos.canonical.get(mapping.entity, canonicalId);
      if (mapping === undefined) preview = h`<p class="banner refused">No mapping for ${q.entity} in ${q.system}.</p>`;
      else if (record === null) preview = h`<p class="muted">No linked ${q.entity} of ${q.system} to preview yet.</p>`;
      else {
        const out = mapping.toVendorSymbolic(record.fields);
        // The vendor's id is not a canonical field: the link's external id goes back at the key path.
        if (out.ok && externalId !== undefined) {
          const parts = externalId.split('|');
          mapping.keyPaths().forEach((path, i) => writePath(out.body, path, parts[i] ?? externalId));
        }
        const back = out.ok ? previewMapping(config.registry, q.system, q.entity, out.body) : null;
        preview = h`<section><h2>${q.system} ${q.entity}: ${recordLink(mapping.entity, record.id)}</h2>
<div class="grid"><section><h3>Out: canonical → ${mapping.vendor} ${mapping.vendorEntity}</h3>${out.ok ? h`<pre>${JSON.stringify(out.body, null, 2)}</pre>` : h`<p class="banner refused">${out.error}</p>`}</section>
<section><h3>Back in: ${mapping.vendor} → canonical</h3>${back === null ? null : back.ok ? h`<table><caption class="sr">Fields mapped back in</caption><thead><tr><th scope="col">field</th><th scope="col">source</th><th scope="col">value</th><th scope="col">owner</th><th scope="col">direction</th></tr></thead><tbody>${back.fields.map(
  (f) => h`<tr><td>${f.target}</td><td><code>${f.source ?? '—'}</code></td><td>${value(f.value, f.target)}</td><td>${f.owner}</td><td>${f.direction}</td></tr>`,
)}</tbody></table>` : h`<p class="banner refused">${back.error}</p>`}</section></div></section>`;
      }
    }
    const body = h`<p>${report.ok ? tag('ok') : tag('failed')} ${report.files.length} files, ${report.errors.length} errors. Read-only: mappings are files, checked with <code>crosswalk mappings check</code>.</p>
<div class="scroll" tabindex="0"><table class="mapping-files"><caption class="sr">Mapping files and their check result</caption><thead><tr><th scope="col">file</th><th scope="col">vendor</th><th scope="col">entity</th><th scope="col">systems</th><th scope="col">status</th><th scope="col">preview</th></tr></thead><tbody>${report.files.map(
  (f) => h`<tr><td><code>${f.file}</code></td><td>${f.vendor ?? f.source ?? ''}</td><td>${f.vendorEntity ?? ''} → ${f.entity ?? ''}</td><td>${f.systems.join(', ')}</td><td>${tag(f.status === 'error' ? 'failed' : f.status)}</td><td>${
    f.entity === null ? '' : f.systems.filter((s) => compiled.some((m) => m.system === s && m.entity === f.entity)).map((s) => h`<a href="${hrefWith('/console/mappings', { system: s, entity: f.entity ?? undefined })}">${s}</a> `)
  }</td></tr>`,
)}</tbody></table></div>
${report.errors.length === 0 ? null : h`<h2>Errors</h2><ul>${report.errors.map((e) => h`<li><code>${JSON.stringify(e)}</code></li>`)}</ul>`}
${preview}`;
    return render(c, 'Mappings', 'mappings', body);
  });
}
