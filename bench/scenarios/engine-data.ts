import { createHash } from 'node:crypto';
import { generateDataset } from '../../fixtures/dataset/index.ts';
import { ENTITIES, entityFields, type EntityName } from '../../src/model/index.ts';
import type { IncomingRecord } from '../../src/engine/index.ts';
import type { CanonicalWrite, LedgerEntry, LinkRow, Store } from '../../src/store/index.ts';
import { newId } from '../../src/lib/ids.ts';

/**
 * What the engine scenario's passes (SQLite and PostgreSQL) write: the dataset's first `rows`
 * assignments as raw tuples and as Bullhorn placements, and everything they reference.
 */
export const SYSTEM = 'bullhorn';

export type Row = [string, string, string | null, string | null, string | null, string | null, string, string | null, string];

type Dataset = ReturnType<typeof generateDataset>;
type Assignment = Dataset['assignments'][number];

export interface EngineData {
  readonly assignments: readonly Assignment[];
  readonly referenced: {
    readonly clients: Dataset['clients'];
    readonly worksites: Dataset['worksites'];
    readonly contacts: Dataset['contacts'];
    readonly requisitions: Dataset['requisitions'];
    readonly candidates: Dataset['candidates'];
  };
  readonly rows: Row[];
}

/**
 * Keeps only what a pass uses: a retained dataset of a few hundred MB would make every garbage
 * collection during the timed part mark it, which a worker holding one page never pays.
 */
export function engineData(count: number): EngineData {
  const dataset = generateDataset({ scale: Math.max(1, Math.ceil(count / 1500)) });
  const assignments = dataset.assignments.slice(0, count);
  if (assignments.length < count) throw new Error(`dataset has ${assignments.length} assignments, wanted ${count}`);
  const wanted = new Set(assignments.map((a) => a.candidateId));
  const referenced = {
    clients: [...dataset.clients],
    worksites: [...dataset.worksites],
    contacts: [...dataset.contacts],
    requisitions: [...dataset.requisitions],
    candidates: dataset.candidates.filter((c) => wanted.has(c.key)),
  };
  const rows: Row[] = assignments.map((a) => [a.key, a.candidateId, a.requisitionId, a.worksiteId, a.approverContactId, a.title, a.startDate, a.endDate, a.status]);
  return { assignments, referenced, rows };
}

/** The raw baselines' per-row hash: the one every hash-guarded store keeps. */
export function rowHash(r: readonly unknown[]): string {
  return createHash('sha1').update(r.join('\u0001')).digest('base64');
}

function ref(externalId: string) {
  return { ref: { system: SYSTEM, externalId } };
}

/** The assignments as Bullhorn placements, references by Bullhorn id (resolved through links). */
export function placementRecords(assignments: readonly Assignment[]): IncomingRecord[] {
  return assignments.map((a, i) => ({
    externalId: String(30_000 + i),
    sourceModifiedAt: '2026-11-20T12:00:00.000Z',
    values: {
      candidateId: ref(a.candidateId),
      requisitionId: a.requisitionId === null ? null : ref(a.requisitionId),
      worksiteId: a.worksiteId === null ? null : ref(a.worksiteId),
      approverContactId: a.approverContactId === null ? null : ref(a.approverContactId),
      title: a.title,
      startDate: a.startDate,
      endDate: a.endDate,
      status: a.status,
    },
  }));
}

/** Canonical rows and links for everything the assignments point at (untimed set-up). */
export async function seedReferences(store: Store, referenced: EngineData['referenced']): Promise<void> {
  const now = new Date().toISOString();
  const add = async (entity: EntityName, items: ReadonlyArray<{ key: string } & Record<string, unknown>>) => {
    for (let i = 0; i < items.length; i += 10_000) {
      const chosen = items.slice(i, i + 10_000);
      const writes: CanonicalWrite[] = chosen.map((item) => {
        const f: Record<string, string | number | null> = {};
        for (const field of Object.keys(ENTITIES[entity].schema.shape)) f[field] = (item[field] as string | number | null | undefined) ?? null;
        return { id: item.key, fields: f, changedAt: now };
      });
      const links: LinkRow[] = chosen.map((item) => ({
        system: SYSTEM, entity, externalId: item.key, canonicalId: item.key, state: 'linked', base: null, sourceHash: null,
        sourceModifiedAt: null, pending: null, waitingOn: null, reason: null, meta: null, tombstonedAt: null, seenRunId: null,
        createdAt: now, updatedAt: now,
      }));
      await store.unitOfWork(async (tx) => {
        await tx.canonical.insertMany(entity, writes, now);
        await tx.links.upsertMany(links);
      });
    }
  };
  await add('client', referenced.clients);
  await add('worksite', referenced.worksites);
  await add('contact', referenced.contacts);
  await add('requisition', referenced.requisitions);
  await add('candidate', referenced.candidates);
}

export interface FloorBatch {
  readonly canonical: CanonicalWrite[];
  readonly links: LinkRow[];
  readonly ledger: LedgerEntry[];
}

/**
 * The rows the engine writes for a first apply (canonical row, link with base and hash, ledger row
 * with the field diff), pre-built in the engine's batch size: the store floor's input.
 */
export function floorBatches(assignments: readonly Assignment[], batch: number): FloorBatch[] {
  const now = '2026-11-20T12:00:00.000Z';
  const fields = entityFields('assignment');
  const batches: FloorBatch[] = [];
  for (let i = 0; i < assignments.length; i += batch) {
    const b: FloorBatch = { canonical: [], links: [], ledger: [] };
    assignments.slice(i, i + batch).forEach((a, j) => {
      const id = newId();
      const values: Record<string, string | null> = {
        candidateId: a.candidateId, requisitionId: a.requisitionId, worksiteId: a.worksiteId, approverContactId: a.approverContactId,
        title: a.title, startDate: a.startDate, endDate: a.endDate, status: a.status,
      };
      const externalId = String(30_000 + i + j);
      b.canonical.push({ id, fields: values, changedAt: now });
      b.links.push({
        system: SYSTEM, entity: 'assignment', externalId, canonicalId: id, state: 'linked', base: values,
        sourceHash: createHash('sha1').update(JSON.stringify(values)).digest('base64'), sourceModifiedAt: now, pending: null,
        waitingOn: null, reason: null, meta: null, tombstonedAt: null, seenRunId: null, createdAt: now, updatedAt: now,
      });
      b.ledger.push({
        at: now, direction: 'in', system: SYSTEM, entity: 'assignment', canonicalId: id, externalId, action: 'create', outcome: 'applied',
        diff: fields.filter((f) => values[f] !== null && values[f] !== undefined).map((f) => ({ field: f, from: null, to: values[f] ?? null, result: 'applied' })),
        reason: null, sourceModifiedAt: now, actor: null, runId: null, jobId: null,
      });
    });
    batches.push(b);
  }
  return batches;
}

/** The floor's timed part: each pre-built batch in one unit of work through the repositories. */
export async function writeFloor(store: Store, batches: readonly FloorBatch[]): Promise<void> {
  const now = '2026-11-20T12:00:00.000Z';
  for (const b of batches) {
    await store.unitOfWork(async (tx) => {
      await tx.canonical.insertMany('assignment', b.canonical, now);
      await tx.links.upsertMany(b.links);
      await tx.ledger.appendMany(b.ledger);
    });
  }
}
