import { randomFillSync } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from '../run.ts';
import { median, type Figure } from '../lib/figures.ts';
import { createUser } from '../../src/access/admin.ts';
import { createApiKey } from '../../src/access/credentials/api-keys.ts';
import { applyLocalChange, StaticPolicy } from '../../src/engine/index.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer } from '../../src/http/server.ts';
import { Keyring } from '../../src/lib/secret-box.ts';
import { SqliteStore } from '../../src/store/index.ts';

const MB = 1_048_576;

/**
 * Issue 14's document benchmark: a 20 MB document uploaded through the HTTP API (multipart, sniffed,
 * hashed, fsynced into the blob store, version recorded) and downloaded through a signed link,
 * each against `fs.copyFile` of the same bytes on the same disk, in the same run; medians of 5 rounds.
 * Every round uploads different bytes, so content addressing never skips the write. Informational
 * figures put the hub beside a bare HTTP server moving the same bytes (the floor of any HTTP path).
 */
export const scenario: Scenario = {
  name: 'documents',
  description: '20 MB upload and download through the HTTP API vs fs.copyFile of the same bytes',
  async run({ quick }) {
    const dir = await mkdtemp(join(tmpdir(), 'crosswalk-bench-documents-'));
    const store = SqliteStore.open(join(dir, 'hub', 'bench.sqlite'), { keyring: Keyring.generate() });
    const policy = new StaticPolicy({ inbound: {}, outbound: {} });
    const app = createApp({ store, policy, adminToken: null, systems: [] });
    const server = await startServer(app, { host: '127.0.0.1', port: 0 });
    try {
      const now = new Date().toISOString();
      const { clientId, key } = await store.unitOfWork(async (tx) => {
        const client = await applyLocalChange(tx, policy, { entity: 'client', changes: { name: 'Bench Client', status: 'active' }, actor: 'bench' }, now);
        const user = await createUser(tx, { email: 'ops@bench.example', role: 'ops_admin' }, now);
        const created = await createApiKey(tx, { name: 'bench', ownerKind: 'user', ownerId: user.id, role: null, scopes: ['read', 'write'], clientId: null, worksiteId: null, expiresAt: null, createdBy: 'bench' }, now);
        return { clientId: client.canonicalId, key: created.key };
      });
      const headers = { authorization: `Bearer ${key}` };
      const size = 20 * MB;
      const rounds = quick ? 3 : 5;
      const upRatios: number[] = [];
      const downRatios: number[] = [];
      const upMs: number[] = [];
      const downMs: number[] = [];
      const copyMs: number[] = [];
      for (let round = 0; round < rounds + 1; round++) {
        // A PDF head, then fresh random bytes: a new blob every round.
        const bytes = Buffer.alloc(size);
        bytes.write('%PDF-1.7\n', 0, 'latin1');
        randomFillSync(bytes, 16);
        const source = join(dir, `source-${round}.pdf`);
        await writeFile(source, bytes);

        let t = performance.now();
        await copyFile(source, join(dir, `copy-${round}.pdf`));
        const copy = performance.now() - t;

        const form = new FormData();
        form.append('file', new Blob([bytes]), `scan-${round}.pdf`);
        t = performance.now();
        const res = await fetch(`${server.url}/api/v1/documents?ownerEntity=client&ownerId=${clientId}`, { method: 'POST', headers, body: form });
        const uploaded = (await res.json()) as { data?: { id: string }; error?: unknown };
        const up = performance.now() - t;
        if (res.status !== 201 || uploaded.data === undefined) throw new Error(`upload answered ${res.status}: ${JSON.stringify(uploaded)}`);

        const link = (await (await fetch(`${server.url}/api/v1/documents/${uploaded.data.id}/link`, { method: 'POST', headers })).json()) as { data: { url: string } };
        t = performance.now();
        const got = await fetch(link.data.url, { headers });
        const body = Buffer.from(await got.arrayBuffer());
        const down = performance.now() - t;
        if (got.status !== 200 || body.length !== size || !body.subarray(0, 4096).equals(bytes.subarray(0, 4096))) throw new Error(`download answered ${got.status} with ${body.length} bytes`);
        await rm(source, { force: true });
        await rm(join(dir, `copy-${round}.pdf`), { force: true });
        if (round === 0) continue; // warm-up
        copyMs.push(copy);
        upMs.push(up);
        downMs.push(down);
        upRatios.push(copy / up);
        downRatios.push(copy / down);
      }
      const bare = await bareHttp(size, rounds);
      const figures: Figure[] = [
        { name: 'documents.copyfile_20mb_ms', value: median(copyMs), gate: false },
        { name: 'documents.bare_http_upload_20mb_ms', value: bare.up, gate: false },
        { name: 'documents.bare_http_download_20mb_ms', value: bare.down, gate: false },
        { name: 'documents.upload.vs_bare_http', value: bare.up / median(upMs), gate: false },
        { name: 'documents.download.vs_bare_http', value: bare.down / median(downMs), gate: false },
        { name: 'documents.upload_20mb_ms', value: median(upMs), gate: false },
        { name: 'documents.download_20mb_ms', value: median(downMs), gate: false },
        { name: 'documents.upload.ratio', value: median(upRatios), target: { op: '>=', value: 0.3 } },
        { name: 'documents.download.ratio', value: median(downRatios), target: { op: '>=', value: 0.3 } },
      ];
      return figures;
    } finally {
      await server.close();
      store.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/**
 * The floor any HTTP path stands on, for reading the figures (informational, not gated): the same
 * bytes POSTed to and fetched from a bare node:http server in this process that does nothing with
 * them. Medians of `rounds` after one warm-up.
 */
async function bareHttp(size: number, rounds: number): Promise<{ up: number; down: number }> {
  const bytes = Buffer.alloc(size, 0x25);
  const server = createServer((req, res) => {
    if (req.method === 'POST') {
      req.on('data', () => undefined);
      req.on('end', () => res.end('ok'));
    } else res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;
  const ups: number[] = [];
  const downs: number[] = [];
  try {
    for (let i = 0; i < rounds + 1; i++) {
      let t = performance.now();
      await (await fetch(url, { method: 'POST', body: bytes })).text();
      const up = performance.now() - t;
      t = performance.now();
      await (await fetch(url)).arrayBuffer();
      const down = performance.now() - t;
      if (i === 0) continue;
      ups.push(up);
      downs.push(down);
    }
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return { up: median(ups), down: median(downs) };
}
