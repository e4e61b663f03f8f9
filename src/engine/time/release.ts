import type { Repos } from '../../store/index.ts';
import { RefusedError } from '../errors.ts';
import { applyLocalChange } from '../local.ts';
import type { SyncPolicy } from '../policy.ts';

/**
 * Ops release a time entry held after its pay period's cutoff (decision 0018): the hold clears, so
 * the push to payroll and the payroll file take it in the current period. Inside the caller's unit
 * of work; the API route and the console both release through here.
 */
export async function releaseHeldEntry(tx: Repos, policy: SyncPolicy, id: string, actor: string, at: string): Promise<{ outboxIds: readonly string[] }> {
  const entry = await tx.canonical.get('time_entry', id);
  if (!entry || entry.deletedAt !== null) throw new RefusedError(`time_entry ${id} not found`, 'not_found');
  if (entry.fields['payrollHeldUntil'] === null) throw new RefusedError(`time entry is ${String(entry.fields['status'])} and not held for a later pay period`, 'refused');
  const changed = await applyLocalChange(tx, policy, { entity: 'time_entry', canonicalId: id, changes: { payrollHeldUntil: null }, actor, comment: 'released to payroll by ops' }, at);
  return { outboxIds: changed.outboxIds };
}
