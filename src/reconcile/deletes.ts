import { isSourceOf } from './source.ts';
import { keysOf, mapFetched } from './map.ts';
import { applyBatches, commitStep, ledgerRow, metered, summaryCounts, type StepInput, type StepResult } from './step.ts';

const DAY_MS = 86_400_000;

/**
 * One page of live links the complete listing did not have, for one entity. Each is asked for by
 * id before anything happens: offset paging skips a record when another is deleted mid-listing, and
 * a record that is still there must not be tombstoned for it. Found ones are applied (the listing
 * missed them); the rest get a tombstone on their link and a `tombstone` ledger row. Never runs for
 * an entity whose gate said no (partial, failed or suspiciously small listing).
 */
export async function deletesStep(input: StepInput): Promise<StepResult> {
  const { deps, run, cursor } = input;
  const entity = cursor.entities[cursor.entityIndex];
  if (entity === undefined) return commitStep(input, { phase: 'grace', entityIndex: 0, after: null }, {}, false);
  const nextEntity = { entityIndex: cursor.entityIndex + 1, after: null };
  const mapping = deps.mappings.find((m) => m.entity === entity);
  if (!mapping || !cursor.gates[entity]?.tombstone) return commitStep(input, nextEntity, {}, false);

  const rows = await deps.store.repos.reconcile.missingPage(run.id, deps.system, entity, cursor.after, deps.settings.deletePage);
  const last = rows[rows.length - 1];
  if (!last) return commitStep(input, nextEntity, {}, false);

  const ids = rows.map((r) => r.externalId);
  const { value: confirmed, requests } = await metered(deps, () => deps.connector.fetchByIds(deps.vendorEntity, ids));
  const present = keysOf(mapping, confirmed);
  const wanted = new Set(ids.filter((id) => present.has(id)));
  const batches = mapFetched([mapping], confirmed, wanted);
  const absent = rows.filter((r) => !present.has(r.externalId));

  return commitStep(input, { after: last.externalId }, { missing: rows.length, relisted: wanted.size, requests }, true, async (tx) => {
    const now = deps.now();
    await tx.links.setTombstone(deps.system, entity, absent.map((r) => r.externalId), now, now);
    await tx.ledger.appendMany(
      absent.map((r) => ledgerRow(deps, run.id, now, {
        entity, canonicalId: r.canonicalId, externalId: r.externalId, action: 'tombstone',
        reason: `gone from ${deps.system}: not in a complete listing and not found by id`,
      })),
    );
    const summary = summaryCounts(await applyBatches(deps, tx, run.id, batches));
    return { ...summary, tombstoned: (summary.tombstoned ?? 0) + absent.length };
  });
}

/**
 * One page of tombstones older than the grace period, for one entity: their canonical records are
 * soft-deleted (`deleted_at`; no row is ever removed, money-bearing or not) with a `delete` ledger
 * row. Only when this system is where the entity's records come from, and only after a listing
 * that was allowed to tombstone: a record listed alive was restored in the repair phase already.
 */
export async function graceStep(input: StepInput): Promise<StepResult> {
  const { deps, cursor } = input;
  const entity = cursor.entities[cursor.entityIndex];
  if (entity === undefined) return commitStep(input, { phase: 'finish', entityIndex: 0, after: null }, {}, false);
  const nextEntity = { entityIndex: cursor.entityIndex + 1, after: null };
  if (!cursor.gates[entity]?.tombstone || !isSourceOf(deps.engine.policy, deps.system, entity)) return commitStep(input, nextEntity, {}, false);

  const now = deps.now();
  const before = new Date(Date.parse(now) - deps.settings.graceDays * DAY_MS).toISOString();
  const rows = await deps.store.repos.reconcile.tombstonesDue(deps.system, entity, before, cursor.after, deps.settings.deletePage);
  const last = rows[rows.length - 1];
  if (!last) return commitStep(input, nextEntity, {}, false);

  return commitStep(input, { after: last.externalId }, {}, false, async (tx) => {
    const deleted = await tx.canonical.setDeleted(entity, rows.map((r) => r.canonicalId), now, now);
    await tx.ledger.appendMany(
      rows.map((r) => ledgerRow(deps, input.run.id, now, {
        entity, canonicalId: r.canonicalId, externalId: r.externalId, action: 'delete',
        reason: `tombstoned in ${deps.system} since ${r.tombstonedAt}, past the ${deps.settings.graceDays}-day grace period: soft delete`,
      })),
    );
    return { deleted };
  });
}
