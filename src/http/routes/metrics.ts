import { z } from 'zod';
import type { ResolvedDeps } from '../deps.ts';
import { collectMetrics } from '../metrics/collect.ts';
import { render, renderFamily } from '../metrics/exposition.ts';
import { withTimeout } from '../../lib/timeout.ts';
import type { RouteRegistrar } from '../route.ts';
import { portalMetrics } from '../../engine/time/metrics.ts';
import { portalFamilies } from '../metrics/portal.ts';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * The runtime hook (queue depths) has this long before the scrape goes on without it: a scrape
 * answers within 2 s even when Redis is down and ioredis is waiting out its reconnect retries
 * (73 s measured). The hook bounds its own queue read tighter (serve.ts) so its other lines survive.
 */
export const METRICS_HOOK_TIMEOUT_MS = 1_800;

export function registerMetrics(api: RouteRegistrar, deps: ResolvedDeps): void {
  api.route({
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics: ledger, conflicts, queues of record, links, runs, canonical rows, webhooks, HTTP',
    description: 'Counts only, no record data, so the route is public like /health.',
    tag: 'operations',
    access: 'public',
    responses: { 200: { description: 'text exposition format 0.0.4', schema: z.string(), contentType: PROMETHEUS_CONTENT_TYPE } },
    handler: async (_input, c) => {
      let text = render([...(await collectMetrics(deps)), ...portalFamilies(await portalMetrics(deps.store.repos, deps.now()))]);
      if (deps.metrics) {
        let hookUp = 1;
        try {
          const extra = await withTimeout(deps.metrics(), METRICS_HOOK_TIMEOUT_MS);
          text += extra.endsWith('\n') || extra === '' ? extra : `${extra}\n`;
        } catch (err) {
          hookUp = 0;
          deps.log.error({ err }, 'metrics: hook failed');
        }
        text += renderFamily({
          name: 'crosswalk_metrics_hook_up',
          help: `Whether the runtime metrics (queue depths) could be read for this scrape (within ${METRICS_HOOK_TIMEOUT_MS} ms).`,
          type: 'gauge',
          samples: [{ value: hookUp }],
        });
      }
      return c.body(text, 200, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Cache-Control': 'no-store' });
    },
  });
}
