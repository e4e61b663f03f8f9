import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { newId } from '../lib/ids.ts';
import { isUniqueViolation, type Store } from '../store/index.ts';
import type { ImportRow } from '../store/index.ts';
import type { FileFacts } from './inspect.ts';
import type { CsvRefusal, ImportLimits } from './limits.ts';
import { currentOwner, ownerAlive } from './owner.ts';
import type { ImportReport } from './report.ts';

/**
 * File-level exactly-once: which import a file's bytes belong to, decided in one unit of work
 * (the unique index on live imports settles a race between two processes), and the record a
 * refused file leaves behind.
 */

export type Claimed =
  | { kind: 'new'; row: ImportRow }
  | { kind: 'resume'; row: ImportRow }
  | { kind: 'done'; row: ImportRow }
  | { kind: 'busy'; row: ImportRow };

/** Finds or starts the import of these bytes for a source and kind, in one unit of work. */
export async function claimImport(
  store: Store,
  a: { facts: FileFacts; source: string; kind: string; fileName: string; system: string; now: () => string },
): Promise<Claimed> {
  const owner = currentOwner();
  const attempt = () =>
    store.unitOfWork(async (tx): Promise<Claimed> => {
      const at = a.now();
      const live = await tx.imports.findLive(a.facts.sha256, a.source, a.kind);
      if (live?.status === 'succeeded') return { kind: 'done', row: live };
      if (live) {
        if (ownerAlive(live.owner, live.heartbeatAt, at) || !(await tx.imports.takeOver(live.id, live.owner, owner, at))) return { kind: 'busy', row: live };
        return { kind: 'resume', row: { ...live, owner } };
      }
      const run = await tx.runs.start('import', a.system, a.kind, at, { record: 0 });
      const id = newId();
      await tx.imports.create({
        id, fileSha256: a.facts.sha256, source: a.source, kind: a.kind, fileName: a.fileName, sizeBytes: a.facts.bytes,
        encoding: a.facts.encoding, delimiter: a.facts.delimiter, status: 'running', runId: run.id, owner, error: null, startedAt: at,
      });
      const row = await tx.imports.get(id);
      if (!row) throw new Error(`import ${id} vanished`);
      return { kind: 'new', row };
    });
  try {
    return await attempt();
  } catch (err) {
    // Another process started the same file between our look and our insert: look again.
    if (isUniqueViolation(err)) return attempt();
    throw err;
  }
}

/** A refused file: nothing imported; the refusal is kept (import and run rows) unless this is a dry run. */
export async function refuse(store: Store, path: string, base: ImportReport, refusal: CsvRefusal, limits: ImportLimits, dryRun: boolean, now: () => string): Promise<ImportReport> {
  const size = await stat(path).then((s) => s.size, () => 0);
  const sha256 = size > 0 && size <= limits.maxFileBytes ? await sha256File(path) : null;
  const report: ImportReport = {
    ...base, status: 'refused', file: { ...base.file, bytes: size, sha256 },
    refusal: { code: refusal.code, message: refusal.message, line: refusal.line }, message: `refused: ${refusal.message}`, finishedAt: now(),
  };
  if (dryRun || refusal.code === 'unknown_kind') return report;
  await store.unitOfWork(async (tx) => {
    const at = now();
    const run = await tx.runs.start('import', base.system, base.kind, at);
    const id = newId();
    await tx.imports.create({
      id, fileSha256: sha256 ?? '', source: base.source, kind: base.kind, fileName: base.file.name, sizeBytes: size, encoding: null,
      delimiter: null, status: 'refused', runId: run.id, owner: null, error: refusal.message, startedAt: at,
    });
    report.importId = id;
    report.runId = run.id;
    await tx.runs.finish(run.id, 'failed', report, refusal.message, at);
  });
  return report;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

