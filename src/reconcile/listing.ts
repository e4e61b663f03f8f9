import { decideGate } from './gate.ts';
import { stageRows } from './map.ts';
import { commitStep, metered, type StepInput, type StepResult } from './step.ts';
import type { EntityGate } from './types.ts';

/**
 * One listing page: fetched outside any unit of work, staged together with the run's advance in
 * one. A crash before the commit fetches this page again; a committed page is never fetched again,
 * because the next job starts from the connector cursor saved with it.
 */
export async function listingStep(input: StepInput): Promise<StepResult> {
  const { deps, run, cursor } = input;
  const fields = [...new Set(deps.mappings.flatMap((m) => m.sourcePaths()))];
  const { value: page, requests } = await metered(deps, () =>
    deps.connector.pullPage({
      entity: deps.vendorEntity,
      since: null,
      cursor: cursor.listing,
      fields,
      ...(deps.settings.pageSize !== undefined && { pageSize: deps.settings.pageSize }),
    }),
  );
  const { rows, unidentified } = stageRows(deps.mappings, page.records);
  const done = page.next === null;
  return commitStep(
    input,
    {
      phase: done ? 'gate' : 'listing',
      listing: page.next,
      listingPages: cursor.listingPages + 1,
      ...(page.total !== undefined && { total: page.total }),
      ...(done && { listedAt: deps.now() }),
    },
    { seen: page.records.length, pages: 1, unidentified: unidentified.length, requests },
    true,
    async (tx) => {
      await tx.reconcile.stage(run.id, cursor.listingPages, rows);
    },
  );
}

/**
 * The listing is complete (every page, no error): per entity, count what was staged against the
 * live links and decide whether what is missing may be tombstoned. Counted once, here, so later
 * repairs (which add links) do not move the threshold.
 */
export async function gateStep(input: StepInput): Promise<StepResult> {
  const { deps, run, cursor } = input;
  const gates: Partial<Record<string, EntityGate>> = {};
  let staged = 0;
  for (const entity of cursor.entities) {
    const s = await deps.store.repos.reconcile.countStaged(run.id, entity);
    const links = await deps.store.repos.reconcile.countLiveLinks(deps.system, entity);
    gates[entity] = decideGate({ staged: s.rows, alive: s.live, links }, deps.settings.shrinkThreshold);
    staged += s.rows;
  }
  return commitStep(input, { phase: 'repair', after: null, entityIndex: 0, gates }, { staged }, false);
}
