import type { VendorRecord } from '../../connectors/kit/types.ts';
import type { EntityName } from '../model/index.ts';
import type { Repos } from '../store/index.ts';
import type { DiffRow } from '../store/repos/reconcile-repo.ts';
import type { ReconcileDeps } from './deps.ts';
import { keysOf, mapFetched } from './map.ts';
import { applyBatches, commitStep, ledgerRow, metered, summaryCounts, type StepInput, type StepResult } from './step.ts';

/**
 * One page of the staging → links diff: records listed but unknown here (a missed create), listed
 * with another hash (a missed update, an edit made while the hub was down), and tombstoned records
 * listed alive again. Added and changed records are fetched again by id — the freshest copy, not
 * the listing's, which may be minutes old by now — and applied through the engine, so ledger rows
 * and conflicts come from the one merge path. A page of the diff is read by a keyset walk; matched
 * rows never leave SQLite.
 */
export async function repairStep(input: StepInput): Promise<StepResult> {
  const { deps, run, cursor } = input;
  const rows = await deps.store.repos.reconcile.diffPage(run.id, deps.system, cursor.after, deps.settings.repairPage);
  const last = rows[rows.length - 1];
  if (!last) return commitStep(input, { phase: 'deletes', entityIndex: 0, after: null }, {}, false);

  const toFetch = [...new Set(rows.filter((r) => r.kind !== 'restored').map((r) => r.externalId))];
  let fetched: VendorRecord[] = [];
  let requests = 0;
  if (toFetch.length > 0) ({ value: fetched, requests } = await metered(deps, () => deps.connector.fetchByIds(deps.vendorEntity, toFetch)));
  const [first] = deps.mappings;
  const found = first ? keysOf(first, fetched) : new Set<string>();
  const batches = mapFetched(deps.mappings, fetched, found);
  // A record deleted between the listing and now is not restored or applied: the next run sees it missing.
  const restore = rows.filter((r) => r.reappeared && (r.kind === 'restored' || found.has(r.externalId)));

  return commitStep(
    input,
    { after: last.externalId },
    {
      diff: rows.length,
      added: rows.filter((r) => r.kind === 'added').length,
      changed: rows.filter((r) => r.kind === 'changed').length,
      vanished: toFetch.filter((id) => !found.has(id)).length,
      requests,
    },
    toFetch.length > 0,
    async (tx) => {
      const restored = await restoreRows(deps, tx, run.id, restore);
      return { restored, ...summaryCounts(await applyBatches(deps, tx, run.id, batches)) };
    },
  );
}

/**
 * Clears the tombstone of records the source lists alive again and undeletes their canonical row
 * if the grace period had already deleted it, with a `restore` ledger row each.
 */
async function restoreRows(deps: ReconcileDeps, tx: Repos, runId: string, rows: readonly DiffRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const now = deps.now();
  const byEntity = new Map<EntityName, DiffRow[]>();
  for (const r of rows) byEntity.set(r.entity, [...(byEntity.get(r.entity) ?? []), r]);
  for (const [entity, list] of byEntity) {
    await tx.links.setTombstone(deps.system, entity, list.map((r) => r.externalId), null, now);
    const canonicalIds = list.flatMap((r) => (r.canonicalId === null ? [] : [r.canonicalId]));
    await tx.canonical.setDeleted(entity, canonicalIds, null, now);
    await tx.ledger.appendMany(
      list.map((r) => ledgerRow(deps, runId, now, {
        entity, canonicalId: r.canonicalId, externalId: r.externalId, action: 'restore', reason: `listed again by ${deps.system}: tombstone cleared`,
      })),
    );
  }
  return rows.length;
}
