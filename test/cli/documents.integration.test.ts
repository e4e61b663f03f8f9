import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLocalChange, StaticPolicy } from '../../src/engine/index.ts';
import { recordVersion } from '../../src/documents/record.ts';
import { DiskBlobStore } from '../../src/store/blobs/disk-blob-store.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { samples } from '../support/files.ts';
import { tempDir, TEST_KEYRING } from '../support/temp-store.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/crosswalk.js');
const NOW = '2026-11-20T08:00:00.000Z';

const d = tempDir();
const db = join(d.dir, 'hub.sqlite');
const config = join(d.dir, 'crosswalk.yaml');
let clientId = '';
let seededId = '';
const policy = new StaticPolicy({ inbound: {}, outbound: {} });

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', LOG_LEVEL: 'silent', CROSSWALK_CONFIG: config, CROSSWALK_DB: db, CROSSWALK_SECRET_KEY: TEST_KEYRING.serialize() };
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, timeout: 60_000, cwd: d.dir });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  writeFileSync(config, 'database: ./unused.sqlite\nsystems: []\n');
  const store = SqliteStore.open(db, { keyring: TEST_KEYRING });
  clientId = await store.unitOfWork(async (tx) =>
    (await applyLocalChange(tx, policy, { entity: 'client', changes: { name: 'Harbor Tooling', status: 'active' }, actor: 'seed' }, NOW)).canonicalId,
  );
  // A document with a first version already (written as the API would), for --version-of.
  const blob = await new DiskBlobStore(join(d.dir, 'blobs')).put(samples.text());
  seededId = await store.unitOfWork(async (tx) => {
    const owner = await tx.canonical.get('client', clientId);
    if (!owner) throw new Error('seed client missing');
    const of = { kind: 'new' as const, ownerEntity: 'client', ownerId: clientId, type: 'notes', title: 'Site notes', visibility: 'internal' as const };
    return (await recordVersion(tx, policy, { actor: 'user:seed', of, blob, contentType: 'text/plain', filename: 'notes.txt', scope: { clientId, worksiteId: null } }, NOW)).documentId;
  });
  store.close();
  writeFileSync(join(d.dir, 'msa.pdf'), samples.pdf('master services agreement'));
  writeFileSync(join(d.dir, 'msa-v2.pdf'), samples.pdf('master services agreement, amended'));
  writeFileSync(join(d.dir, 'msa.exe.pdf'), samples.exe());
});
afterAll(() => d.dispose());

describe('crosswalk documents', () => {
  it('uploads, versions, lists and downloads, refusing a renamed executable', async () => {
    // Two rounds of commands (each spawn costs seconds); the commands of a round are independent.
    const [up, exe, next] = await Promise.all([
      cli(['documents', 'upload', 'msa.pdf', '--to', `client:${clientId}`, '--visibility', 'client', '--type', 'contract', '--json']),
      cli(['documents', 'upload', 'msa.exe.pdf', '--to', `client:${clientId}`]),
      cli(['documents', 'upload', 'msa-v2.pdf', '--version-of', seededId, '--json']),
    ]);
    expect(up.stderr).toBe('');
    const first = JSON.parse(up.stdout) as { documentId: string; version: number; contentType: string };
    expect(first).toMatchObject({ version: 1, contentType: 'application/pdf' });
    expect(exe.code).not.toBe(0);
    expect(exe.stderr).toMatch(/Windows executable/);
    expect(JSON.parse(next.stdout)).toMatchObject({ documentId: seededId, version: 2 });
    const [list, versions, got] = await Promise.all([
      cli(['documents', 'list', '--owner', `client:${clientId}`, '--json']),
      cli(['documents', 'versions', seededId, '--json']),
      cli(['documents', 'download', seededId, '--version', '1', '--out', join(d.dir, 'out.txt'), '--json']),
    ]);
    const listed = JSON.parse(list.stdout) as Array<{ id: string; version: number }>;
    expect(listed.map((l) => [l.id, l.version]).sort()).toEqual([[first.documentId, 1], [seededId, 2]].sort());
    const rows = JSON.parse(versions.stdout) as Array<{ version: number; uploadedBy: string }>;
    expect(rows.map((v) => [v.version, v.uploadedBy.startsWith('cli:')])).toEqual([[1, false], [2, true]]);
    expect(got.stderr).toBe('');
    expect(readFileSync(join(d.dir, 'out.txt')).equals(samples.text())).toBe(true);
  }, 60_000);
});
