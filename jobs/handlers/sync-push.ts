import { createHash } from 'node:crypto';
import { connectorErrorKind, type PushResult } from '../../connectors/kit/index.ts';
import { applyLocalChange, ConfigError, payrollRouteFor } from '../../src/engine/index.ts';
import { nowIso } from '../../src/lib/time.ts';
import type { CompiledMapping } from '../../src/mapping/index.ts';
import { ENTITIES, type EntityName } from '../../src/model/index.ts';
import type { FieldMap, LinkRow, OutboxRow, Repos } from '../../src/store/index.ts';
import type { Hub } from '../../src/hub.ts';
import type { Handler, JobContext } from '../context.ts';
import { mapRecords, applyMapped } from '../lib/map-records.ts';
import { outboxJobId } from '../../src/queue/ids.ts';

/**
 * One outbox row to its system: claim it, build the vendor body from current canonical values,
 * push with an idempotency key, confirm by reading back, then record the external id, the new base
 * and a ledger row in one unit of work. A failure retries with backoff; a configuration failure
 * or the last attempt parks the row for ops (`crosswalk outbox list|replay`).
 */
export const syncPush: Handler<'sync.push'> = async (payload, ctx) => {
  const { hub } = ctx;
  const store = hub.store();
  const row = await store.unitOfWork((tx) => tx.outbox.claim(payload.outboxId, nowIso()));
  if (!row) return; // done, parked, or another worker has it
  try {
    await push(hub, row, ctx);
  } catch (err) {
    const kind = connectorErrorKind(err);
    hub.logger.warn({ err, system: row.system, entity: row.entity, outboxId: row.id, attempt: ctx.attempt }, "push failed");
    const park = kind === 'config' || err instanceof ConfigError || ctx.finalAttempt;
    const message = err instanceof Error ? err.message : String(err);
    const retryAt = new Date(Date.now() + 30_000 * 2 ** Math.min(ctx.attempt, 8)).toISOString();
    await store.unitOfWork(async (tx) => {
      await tx.outbox.markAttemptFailed(row.id, message, park, park ? null : retryAt, nowIso());
      if (park) {
        await tx.ledger.appendMany([
          {
            at: nowIso(), direction: 'out', system: row.system, entity: row.entity, canonicalId: row.canonicalId, externalId: row.externalId,
            action: 'push', outcome: 'failed', diff: null, reason: `parked after ${row.attempts} attempt(s): ${message}`,
            sourceModifiedAt: null, actor: 'crosswalk', runId: null, jobId: ctx.jobId,
          },
        ]);
      }
    });
    if (kind === 'version_conflict') await refetch(hub, row);
    if (!park) throw err;
  }
};

async function push(hub: Hub, row: OutboxRow, ctx: JobContext): Promise<void> {
  const store = hub.store();
  const mapping = hub.registry().get(row.system, row.entity);
  if (!mapping) throw new ConfigError(`no mapping carries ${row.entity} to ${row.system}`);
  const record = await store.repos.canonical.get(row.entity, row.canonicalId);
  if (!record) throw new ConfigError(`${row.entity} ${row.canonicalId} no longer exists`);
  const link = await store.repos.links.forCanonical(row.system, row.entity, row.canonicalId);
  const op = link?.canonicalId && link.state === 'linked' ? 'update' : 'create';
  if (op === 'create' && row.op === 'update') throw new ConfigError(`${row.system} has no ${row.entity} ${row.canonicalId} to update`);

  // One payroll pays a worker: a time entry or assignment goes only to the payroll the rule names.
  if (op === 'create' && !(await routedHere(hub, row, record.fields, ctx))) return;

  // Never create a record in a system the hub has not read yet: it may be there already (the
  // payroll's existing employees), and only a completed pull can tell. Woken by that first pull.
  if (op === 'create' && !(await hasBeenRead(hub, row.system))) {
    const retryAt = new Date(Date.now() + 3_600_000).toISOString();
    await store.unitOfWork((tx) => tx.outbox.defer(row.id, `pull|${row.system}`, `waiting for a first complete pull of ${row.system}`, retryAt, nowIso()));
    return;
  }

  const outbound = mapping.outboundFields().map((f) => f.target);
  const fields = op === 'create' ? outbound : row.fields.filter((f) => outbound.includes(f));
  const related = await relatedRecords(store.repos, row.system, row.entity, record.fields, hub.manifest(row.system).workerLinks === 'candidate');

  // A record this one points at is not in the target system yet (an employee before its job):
  // wait for it instead of failing — its own push wakes this row the moment it lands.
  const refs = ENTITIES[row.entity].refs;
  const missing = fields.find((f) => refs[f] !== undefined && typeof record.fields[f] === 'string' && !related.byField.has(f));
  if (missing !== undefined) {
    const target = refs[missing] as EntityName;
    const id = record.fields[missing] as string;
    const retryAt = new Date(Date.now() + Math.min(6 * 3_600_000, 60_000 * 2 ** Math.min(row.attempts, 8))).toISOString();
    await store.unitOfWork((tx) => tx.outbox.defer(row.id, `${target}|${id}`, `waiting for ${target} ${id} to exist in ${row.system}`, retryAt, nowIso()));
    return;
  }
  const body = mapping.toVendor(record.fields, (entity, canonicalId) => related.byCanonical.get(`${entity}|${canonicalId}`)?.externalId ?? null, fields);
  if (!body.ok) throw new Error(`cannot build the ${mapping.vendorEntity} body yet: ${body.error}`);

  // The key changes when what is pushed changes, so a retry of the same content is recognised and
  // a later change after a failure is not mistaken for it.
  const idempotencyKey = `${row.idempotencyKey}:${createHash('sha1').update(JSON.stringify(body.body)).digest('hex').slice(0, 16)}`;
  const result: PushResult = await hub.connector(row.system).push({
    entity: mapping.vendorEntity,
    op,
    ...(link?.externalId !== undefined && op === 'update' && { externalId: link.externalId }),
    body: body.body,
    idempotencyKey,
    meta: link?.meta ?? {},
    related: Object.fromEntries([...related.byField].map(([field, l]) => [field, { externalId: l.externalId, meta: l.meta ?? {} }])),
  });

  let woken: OutboxRow[] = [];
  await store.unitOfWork(async (tx) => {
    const now = nowIso();
    const pushed: FieldMap = Object.fromEntries(fields.map((f) => [f, record.fields[f] ?? null]));
    const confirmed = confirmDifferences(mapping, result, pushed);
    const existing = link ?? (await tx.links.get(row.system, row.entity, result.externalId));
    const base = { ...(existing?.base ?? {}), ...pushed, ...confirmed.values };
    const linkRow: LinkRow = {
      system: row.system, entity: row.entity, externalId: result.externalId, canonicalId: row.canonicalId, state: 'linked', base,
      sourceHash: existing?.sourceHash ?? null, sourceModifiedAt: existing?.sourceModifiedAt ?? null, pending: null, waitingOn: null,
      reason: null, meta: { ...(existing?.meta ?? {}), ...(result.meta ?? {}) }, tombstonedAt: null, seenRunId: existing?.seenRunId ?? null,
      createdAt: existing?.createdAt ?? now, updatedAt: now,
    };
    await tx.links.upsertMany([linkRow]);
    await tx.outbox.markDone(row.id, result.externalId, now);
    woken = await tx.outbox.wake(row.system, `${row.entity}|${row.canonicalId}`, now);
    await tx.ledger.appendMany([
      {
        at: now, direction: 'out', system: row.system, entity: row.entity, canonicalId: row.canonicalId, externalId: result.externalId,
        action: op === 'create' ? 'create' : 'push', outcome: 'applied',
        diff: fields.map((f) => ({ field: f, from: existing?.base?.[f] ?? null, to: record.fields[f] ?? null, result: 'applied' as const })),
        reason: confirmed.note ?? row.reason, sourceModifiedAt: null, actor: 'crosswalk', runId: null, jobId: ctx.jobId,
      },
    ]);
    await markExportedToPayroll(hub, tx, row, now);
  });
  for (const w of woken) {
    await ctx.enqueue('sync.push', { system: w.system, outboxId: w.id }, { jobId: outboxJobId(w.id, w.attempts) });
  }
}

/** Approved time that payroll now has moves to `exported`, once, with its history line. */
async function markExportedToPayroll(hub: Hub, tx: Repos, row: OutboxRow, now: string): Promise<void> {
  if (row.entity !== 'time_entry' || hub.system(row.system).kind !== 'payroll') return;
  const current = await tx.canonical.get('time_entry', row.canonicalId);
  if (current?.fields['status'] !== 'approved') return;
  await applyLocalChange(
    tx,
    hub.registry(),
    { entity: 'time_entry', canonicalId: row.canonicalId, changes: { status: 'exported' }, actor: `crosswalk → ${row.system}`, comment: `pushed to ${row.system}`, system: row.system, overrideOwnership: true, skipFanOut: true },
    now,
  );
}

/**
 * True when this payroll system is the one the routing rule names for the record (always, for
 * anything but a payroll's candidates, time entries, assignments and their rates). Otherwise the row is settled
 * here: done when another payroll pays the worker (a candidate: has a live link in another payroll), deferred while the worker is linked to none, parked (a
 * ConfigError) when the worker is linked to several and no setting decides.
 */
async function routedHere(hub: Hub, row: OutboxRow, fields: FieldMap, ctx: JobContext): Promise<boolean> {
  if (hub.system(row.system).kind === 'ats') return notFromAnotherAts(hub, row, ctx);
  if (hub.system(row.system).kind !== 'payroll') return true;
  const payrolls = hub.config.systems.filter((s) => s.kind === 'payroll').map((s) => s.id);
  const store = hub.store();
  // A worker another payroll already pays is not created here too (the firm's other legal entity):
  // a second link would make every later push of their time ambiguous.
  if (row.entity === 'candidate') {
    for (const other of payrolls.filter((s) => s !== row.system)) {
      const link = await store.repos.links.forCanonical(other, 'candidate', row.canonicalId);
      if (link === null || link.state !== 'linked' || link.tombstonedAt !== null) continue;
      hub.logger.info({ system: row.system, entity: row.entity, canonicalId: row.canonicalId, jobId: ctx.jobId, payroll: other }, `not sent: the worker is paid by ${other}`);
      await store.unitOfWork((tx) => tx.outbox.markDone(row.id, null, nowIso()));
      return false;
    }
    return true;
  }
  // An assignment's pay rate follows the assignment (a job in the payroll that pays the worker).
  const rateOf = row.entity === 'assignment_rate' && typeof fields['assignmentId'] === 'string' ? await store.repos.canonical.get('assignment', fields['assignmentId']) : null;
  const route = await payrollRouteFor(store.repos, payrolls, hub.config.payroll ?? { byClient: {} }, rateOf ? 'assignment' : row.entity, rateOf ? rateOf.fields : fields);
  if (route === null || (route.kind === 'route' && route.system === row.system)) return true;
  if (route.kind === 'ambiguous') throw new ConfigError(`which payroll pays this worker is ambiguous: ${route.why}`);
  if (route.kind === 'wait') {
    const retryAt = new Date(Date.now() + Math.min(6 * 3_600_000, 60_000 * 2 ** Math.min(row.attempts, 8))).toISOString();
    await store.unitOfWork((tx) => tx.outbox.defer(row.id, `payroll|${row.canonicalId}`, `waiting to know which payroll pays the worker: ${route.why}`, retryAt, nowIso()));
    return false;
  }
  hub.logger.info({ system: row.system, entity: row.entity, canonicalId: row.canonicalId, jobId: ctx.jobId, payroll: route.system }, `not sent: ${route.why}`);
  await store.unitOfWork((tx) => tx.outbox.markDone(row.id, null, nowIso()));
  return false;
}

/**
 * Two ATSs run two business lines (Bullhorn and Greenhouse): a record one of them holds (a
 * requisition read from Greenhouse) is that line's, and is never created in the other ATS. A record
 * born in the portal (a requisition request) is linked to no ATS and goes where its mapping says.
 */
async function notFromAnotherAts(hub: Hub, row: OutboxRow, ctx: JobContext): Promise<boolean> {
  const store = hub.store();
  for (const other of hub.config.systems.filter((s) => s.kind === 'ats' && s.id !== row.system)) {
    const link = await store.repos.links.forCanonical(other.id, row.entity, row.canonicalId);
    if (link === null || link.tombstonedAt !== null) continue;
    hub.logger.info({ system: row.system, entity: row.entity, canonicalId: row.canonicalId, jobId: ctx.jobId, ats: other.id }, `not sent: the record is ${other.id}'s`);
    await store.unitOfWork((tx) => tx.outbox.markDone(row.id, null, nowIso()));
    return false;
  }
  return true;
}

/** True once any pull of the system has completed. */
async function hasBeenRead(hub: Hub, system: string): Promise<boolean> {
  return (await hub.store().repos.runs.lastFinished('pull', system, 'succeeded')) !== null;
}

interface Related {
  /** `${entity}|${canonicalId}` → this system's link. */
  readonly byCanonical: Map<string, LinkRow>;
  /** reference field → this system's link of the record it points at. */
  readonly byField: Map<string, LinkRow>;
}

/** This system's links for every record the pushed record references. */
async function relatedRecords(repos: Repos, system: string, entity: EntityName, fields: FieldMap, assignmentByWorker: boolean): Promise<Related> {
  const byCanonical = new Map<string, LinkRow>();
  const byField = new Map<string, LinkRow>();
  for (const [field, target] of Object.entries(ENTITIES[entity].refs)) {
    const id = fields[field];
    if (typeof id !== 'string') continue;
    const link = assignmentByWorker && target === 'assignment' ? await workerLinkOf(repos, system, id) : await repos.links.forCanonical(system, target, id);
    if (link?.state === 'linked') {
      byCanonical.set(`${target}|${id}`, link);
      byField.set(field, link);
    }
  }
  return { byCanonical, byField };
}

/**
 * A payroll that keeps workers and no jobs (ADP: `workerLinks: 'candidate'`) knows an assignment
 * by its worker: the assignment's candidate's link stands for it.
 */
async function workerLinkOf(repos: Repos, system: string, assignmentId: string): Promise<LinkRow | null> {
  const candidateId = (await repos.canonical.get('assignment', assignmentId))?.fields['candidateId'];
  return typeof candidateId === 'string' ? repos.links.forCanonical(system, 'candidate', candidateId) : null;
}

/** Read-after-write: what the vendor kept, where it differs from what was sent. */
function confirmDifferences(mapping: CompiledMapping, result: PushResult, pushed: FieldMap): { values: FieldMap; note: string | null } {
  if (!result.confirmed) return { values: {}, note: null };
  const mapped = mapping.toIncoming(result.confirmed);
  if (!mapped.ok) return { values: {}, note: `read back, but not mappable: ${mapped.error}` };
  const values: FieldMap = {};
  const differences: string[] = [];
  for (const [field, sent] of Object.entries(pushed)) {
    const kept = mapped.record.values[field];
    if (kept === undefined || typeof kept === 'object') continue; // not read back, or a reference
    if (kept !== sent) {
      values[field] = kept;
      differences.push(`${field} sent ${JSON.stringify(sent)}, kept ${JSON.stringify(kept)}`);
    }
  }
  return { values, note: differences.length > 0 ? `confirmed with differences: ${differences.join('; ')}` : null };
}

/** After a version conflict (Gusto 409): read the vendor's record and merge it, so the retry carries the new version. */
async function refetch(hub: Hub, row: OutboxRow): Promise<void> {
  const mapping = hub.registry().get(row.system, row.entity);
  const link = await hub.store().repos.links.forCanonical(row.system, row.entity, row.canonicalId);
  if (!mapping || !link) return;
  const records = await hub.connector(row.system).fetchByIds(mapping.vendorEntity, [link.externalId]);
  const mapped = mapRecords([mapping], records);
  await hub.store().unitOfWork((tx) => applyMapped(hub, tx, row.system, mapped, {}));
}
