import type { Store } from '../store/index.ts';

export interface RetentionPolicy {
  readonly auditRetentionDays: number;
  readonly idempotencyHours: number;
}

/** Deletes audit events and stored idempotent answers past their retention. Returns how many went. */
export async function purgeExpired(store: Store, policy: RetentionPolicy, now: Date = new Date()): Promise<{ audit: number; idempotency: number }> {
  const auditBefore = new Date(now.getTime() - policy.auditRetentionDays * 86_400_000).toISOString();
  const keysBefore = new Date(now.getTime() - policy.idempotencyHours * 3_600_000).toISOString();
  return store.unitOfWork(async (tx) => ({
    audit: await tx.audit.purgeBefore(auditBefore),
    idempotency: await tx.idempotency.purgeBefore(keysBefore),
  }));
}

/**
 * Runs `purgeExpired` now and then every `everyMs` (default six hours) until stopped: what
 * `crosswalk serve` does. Several servers doing it at once delete the same rows once.
 */
export function startRetention(store: Store, policy: RetentionPolicy, onError: (err: unknown) => void, everyMs = 6 * 3_600_000): { stop(): void } {
  const run = () => {
    purgeExpired(store, policy).catch(onError);
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
