import { z } from 'zod';
import type { RunKind, RunRow } from '../../store/index.ts';
import type { CheckResult, HttpSystem, ResolvedDeps } from '../deps.ts';
import { withTimeout } from '../../lib/timeout.ts';
import type { RouteRegistrar } from '../route.ts';
import { DateTime } from '../schemas/common.ts';

/** A hook check that has not answered by then counts as failed: a hung Redis must not hang /health. */
const HOOK_TIMEOUT_MS = 2_000;

const Check = z.strictObject({ ok: z.boolean(), detail: z.string().optional() });

const SystemHealth = z.strictObject({
  id: z.string(),
  kind: z.string(),
  ok: z.boolean(),
  detail: z.string().optional(),
  lastPullAt: DateTime.nullable().meta({ description: 'when the last successful pull finished' }),
  lastReconcileAt: DateTime.nullable().meta({ description: 'when the last successful reconciliation finished' }),
});

export const HealthView = z.strictObject({
  ok: z.boolean(),
  at: DateTime,
  checks: z.record(z.string(), Check),
  systems: z.array(SystemHealth),
});
type HealthView = z.infer<typeof HealthView>;

/**
 * A system is unhealthy when its most recent finished pull or reconciliation failed; one that has
 * not run yet is healthy (a new install is not an outage). Details name times, never vendor error
 * text: /health is public.
 */
async function systemHealth(deps: ResolvedDeps, system: HttpSystem): Promise<z.infer<typeof SystemHealth>> {
  const { runs } = deps.store.repos;
  const look = async (kind: RunKind) => {
    const [success, latest] = await Promise.all([
      runs.latest(kind, system.id, ['succeeded']),
      runs.latest(kind, system.id, ['succeeded', 'failed', 'partial']),
    ]);
    return { success, latest };
  };
  const [pull, reconcile] = await Promise.all([look('pull'), look('reconcile')]);
  const failed = (kind: string, run: RunRow | null) => (run?.status === 'failed' ? [`last ${kind} failed at ${run.finishedAt ?? run.startedAt}`] : []);
  const problems = [...failed('pull', pull.latest), ...failed('reconcile', reconcile.latest)];
  return {
    id: system.id,
    kind: system.kind,
    ok: problems.length === 0,
    ...(problems.length > 0 ? { detail: problems.join('; ') } : pull.success === null ? { detail: 'no successful pull yet' } : {}),
    lastPullAt: pull.success?.finishedAt ?? null,
    lastReconcileAt: reconcile.success?.finishedAt ?? null,
  };
}

export async function collectHealth(deps: ResolvedDeps): Promise<HealthView> {
  const checks: Record<string, CheckResult> = {};
  let systems: HealthView['systems'] = [];
  try {
    await deps.store.repos.runs.ping();
    checks['database'] = { ok: true };
    systems = await Promise.all(deps.systems.map((s) => systemHealth(deps, s)));
  } catch (err) {
    deps.log.error({ err }, 'health: database check failed');
    checks['database'] = { ok: false, detail: 'the database did not answer a query' };
    systems = deps.systems.map((s) => ({ id: s.id, kind: s.kind, ok: false, detail: 'database unavailable', lastPullAt: null, lastReconcileAt: null }));
  }
  if (deps.health) {
    try {
      for (const [name, result] of Object.entries(await withTimeout(deps.health(), HOOK_TIMEOUT_MS))) {
        checks[name in checks ? `${name} (hook)` : name] = { ok: result.ok, ...(result.detail === undefined ? {} : { detail: result.detail }) };
      }
    } catch (err) {
      deps.log.error({ err }, 'health: hook failed');
      checks['hook'] = { ok: false, detail: 'the runtime health checks failed or timed out (see the server log)' };
    }
  }
  const ok = Object.values(checks).every((c) => c.ok) && systems.every((s) => s.ok);
  return { ok, at: deps.now(), checks, systems };
}

export function registerHealth(api: RouteRegistrar, deps: ResolvedDeps): void {
  api.route({
    method: 'get',
    path: '/health',
    operationId: 'health',
    summary: 'Database, each system’s last successful pull and reconciliation, and the runtime’s checks',
    tag: 'operations',
    access: 'public',
    responses: {
      200: { description: 'every check passed', schema: HealthView },
      503: { description: 'at least one check failed (same body)', schema: HealthView },
    },
    handler: async (_input, c) => {
      const health = await collectHealth(deps);
      c.header('Cache-Control', 'no-store');
      return c.json(health, health.ok ? 200 : 503);
    },
  });
}
