import type { Hono } from 'hono';
import { z } from 'zod';
import type { ConsoleEnv, ResolvedConsoleDeps } from '../deps.ts';
import { h } from '../html.ts';
import { parseQuery } from '../input.ts';
import { findAnything } from '../queries/search.ts';
import { render } from '../respond.ts';

const Query = z.strictObject({ q: z.string().max(200).optional() });

/**
 * `/console/search?q=…`: one box for a canonical id, any system's id, an inbox event id, a run id,
 * an e-mail or a name. Exactly one hit redirects to it (a Bullhorn placement's id lands on its
 * assignment); several are listed; none says so.
 */
export function registerSearch(app: Hono<ConsoleEnv>, deps: ResolvedConsoleDeps): void {
  app.get('/search', async (c) => {
    const { q } = parseQuery(c, Query);
    const hits = q === undefined ? [] : await findAnything(deps.store, q);
    const [only] = hits;
    if (only !== undefined && hits.length === 1) return c.redirect(only.href, 303);
    const body = q === undefined
      ? h`<p>Type a canonical id, any system's id (a Bullhorn placement, a Gusto employee), an inbox event id, a run id, an e-mail address or the start of a name. Press <kbd>/</kbd> on any page to jump to the box.</p>`
      : hits.length === 0
        ? h`<p role="status">Nothing matches <code>${q}</code>.</p>`
        : h`<div class="scroll" tabindex="0"><table><caption>${hits.length} matches for ${q}</caption><thead><tr><th scope="col">what</th><th scope="col">kind</th><th scope="col">matched on</th></tr></thead><tbody>${hits.map(
          (hit) => h`<tr><td><a href="${hit.href}">${hit.label}</a></td><td>${hit.kind}</td><td>${hit.detail}</td></tr>`,
        )}</tbody></table></div>`;
    return render(c, 'Find', 'search', body, 200, q === undefined ? {} : { query: q });
  });
}
