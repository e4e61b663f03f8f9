import { copyFile, rm, stat } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { acceptFile } from '../../documents/accept.ts';
import { DOCUMENT_TARGETS, ownerScope, type DocumentTarget } from '../../documents/owners.ts';
import { recordVersion, safeFilename, type VersionOf } from '../../documents/record.ts';
import { documentServicesFor, type DocumentServices } from '../../documents/runtime.ts';
import { nowIso } from '../../lib/time.ts';
import type { EntityName } from '../../model/index.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import { emit, printTable } from '../output.ts';
import { auditCli, cliActor } from './audit.ts';

/** `assignment:<id>` → the target; only the kinds documents attach to. */
function parseTarget(value: string): { entity: DocumentTarget; id: string } {
  const colon = value.indexOf(':');
  const entity = DOCUMENT_TARGETS.find((t) => t === value.slice(0, colon));
  const id = value.slice(colon + 1);
  if (colon < 0 || entity === undefined || id === '') throw new UsageError(`--to expects <${DOCUMENT_TARGETS.join('|')}>:<id>, got "${value}"`);
  return { entity, id };
}

function parseVisibility(value: string | undefined): 'internal' | 'client' {
  if (value === undefined || value === 'internal') return 'internal';
  if (value === 'client') return 'client';
  throw new UsageError('--visibility takes internal or client');
}

interface UploadOpts {
  to?: string;
  versionOf?: string;
  visibility?: string;
  type?: string;
  title?: string;
  json?: boolean;
}

/**
 * `crosswalk documents upload|list|versions|download`: the same checks as the API (type by the
 * bytes, size limit, versions kept), run by an operator on the hub's host, recorded as `cli:<os user>`.
 */
export function registerDocuments(program: Command, ctx: CliContext): void {
  const docs = program.command('documents').description('documents attached to records: upload (a new one or a new version), list, versions, download');
  let services: DocumentServices | null = null;
  const svc = () => (services ??= documentServicesFor(ctx.store()));

  docs
    .command('upload <file>')
    .description('upload a file as a new document (--to) or as the next version of one (--version-of)')
    .option('--to <entity:id>', `attach a new document to ${DOCUMENT_TARGETS.join(', ')} (e.g. assignment:<id>)`)
    .option('--version-of <documentId>', 'store the file as the next version of this document')
    .option('--visibility <v>', 'internal (default) or client')
    .option('--type <type>', 'what kind of document (default general)')
    .option('--title <title>', 'default: the file name')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: UploadOpts) => {
      if ((opts.to === undefined) === (opts.versionOf === undefined)) throw new UsageError('give exactly one of --to <entity:id> or --version-of <documentId>');
      const target = opts.to === undefined ? null : parseTarget(opts.to);
      const visibility = parseVisibility(opts.visibility);
      const size = (await stat(file).catch(() => null))?.size;
      if (size === undefined) throw new UsageError(`no file ${file}`);
      if (size > svc().maxBytes) throw new UsageError(`${file} is ${size} bytes, over the ${svc().maxBytes}-byte document limit`);
      // Staged as a copy: the operator's file stays where it is.
      const dir = await svc().blobs.stagingDir();
      try {
        const staged = join(dir, 'upload');
        await copyFile(file, staged);
        const accepted = await acceptFile(svc().blobs, staged, size, basename(file));
        if (!accepted.ok) throw new UsageError(`${file}: ${accepted.reason}`);
        const actor = cliActor();
        const at = nowIso();
        const result = await ctx.store().unitOfWork(async (tx) => {
          let of: VersionOf;
          let scope;
          if (target !== null) {
            const owner = await tx.canonical.get(target.entity, target.id);
            if (!owner || owner.deletedAt !== null) throw new UsageError(`${target.entity} ${target.id} not found`);
            of = { kind: 'new', ownerEntity: target.entity, ownerId: owner.id, type: opts.type ?? 'general', title: opts.title ?? accepted.filename, visibility };
            scope = await ownerScope(tx, target.entity, owner);
          } else {
            const row = await tx.canonical.get('document', opts.versionOf ?? '');
            if (!row || row.deletedAt !== null) throw new UsageError(`document ${String(opts.versionOf)} not found`);
            of = { kind: 'existing', row };
            const ownerEntity = String(row.fields['ownerEntity']) as EntityName; // written only from DocumentOwnerEntity values
            const owner = await tx.canonical.get(ownerEntity, String(row.fields['ownerId']));
            scope = owner === null ? { clientId: null, worksiteId: null } : await ownerScope(tx, ownerEntity, owner);
          }
          const written = await recordVersion(tx, ctx.policy(), { actor, of, blob: accepted.blob, contentType: accepted.contentType, filename: accepted.filename, scope }, at);
          await auditCli(tx, { action: 'document.upload', targetType: 'document', targetId: written.documentId, reason: `version ${written.version}` }, at);
          return written;
        });
        const out = { ...result, sha256: accepted.blob.sha256, sizeBytes: accepted.blob.size, contentType: accepted.contentType, filename: accepted.filename };
        emit(opts, out, () => process.stdout.write(`document ${result.documentId} version ${result.version}: ${accepted.filename} (${accepted.contentType}, ${accepted.blob.size} bytes, sha256 ${accepted.blob.sha256.slice(0, 12)}…)\n`));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

  docs
    .command('list')
    .description('documents attached to a record')
    .requiredOption('--owner <entity:id>', `the record (${DOCUMENT_TARGETS.join(', ')}:<id>)`)
    .option('--json', 'machine-readable output')
    .action(async (opts: { owner: string; json?: boolean }) => {
      const target = parseTarget(opts.owner);
      const rows = await ctx.store().repos.canonical.list('document', { where: { ownerEntity: target.entity, ownerId: target.id }, limit: 10_000 });
      const view = rows.map((r) => ({ id: r.id, ...r.fields, updatedAt: r.updatedAt }));
      const f = (r: (typeof rows)[number], k: string) => r.fields[k] ?? null;
      emit(opts, view, () => printTable(rows.map((r) => ({ id: r.id, title: f(r, 'title'), type: f(r, 'type'), version: f(r, 'version'), visibility: f(r, 'visibility'), contentType: f(r, 'contentType'), bytes: f(r, 'sizeBytes') }))));
    });

  docs
    .command('versions <documentId>')
    .description('every stored version of a document, oldest first')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { json?: boolean }) => {
      if ((await ctx.store().repos.canonical.get('document', id)) === null) throw new UsageError(`document ${id} not found`);
      const rows = await ctx.store().repos.documents.versions(id);
      emit(opts, rows, () => printTable(rows.map((v) => ({ version: v.version, filename: v.filename, contentType: v.contentType, bytes: v.sizeBytes, sha256: v.sha256.slice(0, 16), by: v.uploadedBy, at: v.uploadedAt.slice(0, 19) }))));
    });

  docs
    .command('download <documentId>')
    .description('write a version of a document to a file (audited)')
    .option('--version <n>', 'the version (default the latest)')
    .option('--out <path>', 'where to write it (default: its file name, in the current folder)')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { version?: string; out?: string; json?: boolean }) => {
      const repos = ctx.store().repos;
      const n = opts.version === undefined ? await repos.documents.latestVersion(id) : Number(opts.version);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`document ${id} has no stored version${opts.version === undefined ? 's' : ` ${opts.version}`}`);
      const version = await repos.documents.version(id, n);
      if (version === null) throw new UsageError(`document ${id} has no stored version ${n}`);
      const bytes = await svc().blobs.open(version.sha256);
      if (bytes === null) throw new UsageError(`the bytes of document ${id} version ${n} (sha256 ${version.sha256}) are missing from the blob store`);
      const out = opts.out ?? safeFilename(version.filename, `document-${n}`);
      await pipeline(bytes, createWriteStream(out, { flags: 'wx', mode: 0o600 }));
      await ctx.store().unitOfWork(async (tx) => auditCli(tx, { action: 'document.download', targetType: 'document', targetId: id, reason: `version ${n}` }, nowIso()));
      emit(opts, { documentId: id, version: n, path: out, sizeBytes: version.sizeBytes }, () => process.stdout.write(`document ${id} version ${n} written to ${out} (${version.sizeBytes} bytes)\n`));
    });
}
