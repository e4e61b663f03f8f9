import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from '../run.ts';
import { median, type Figure } from '../lib/figures.ts';
import { createUser } from '../../src/access/admin.ts';
import { StaticPolicy } from '../../src/engine/index.ts';
import { createApp } from '../../src/http/app.ts';
import { mountConsole } from '../../src/http/console/index.ts';
import { newId } from '../../src/lib/ids.ts';
import { Keyring } from '../../src/lib/secret-box.ts';
import { SqliteStore, type CanonicalWrite } from '../../src/store/index.ts';

/** Issue 15: every console page under 300 ms of server time with 100,000 ledger rows. */
const TARGET_MS = 300;
const EMAIL = 'bench@ops.example.test';
const PASSWORD = 'bench password 2026';

/**
 * Issue 15's benchmark: a store with 100,000 ledger rows (2,000 clients and candidates, 500 open
 * conflicts, 20,000 webhook deliveries, 2,000 pushes, 5,000 audit rows), then each console page
 * requested in-process as a signed-in ops admin: the median of 5 requests per page against the
 * 300 ms target, beside a raw baseline (the newest 51 ledger rows read straight from SQLite).
 */
export const scenario: Scenario = {
  name: 'console',
  description: 'console page server times with 100,000 ledger rows (target 300 ms each) vs a raw newest-page ledger read',
  async run({ quick }) {
    const dir = mkdtempSync(join(tmpdir(), 'crosswalk-bench-console-'));
    const store = SqliteStore.open(join(dir, 'bench.sqlite'), { keyring: Keyring.generate() });
    try {
      const world = await seed(store, quick ? 20_000 : 100_000);
      const policy = new StaticPolicy({ inbound: {}, outbound: {} });
      const log = { error: () => undefined, warn: () => undefined };
      const app = createApp({ store, policy, adminToken: null, systems: [], log, mount: (hub) => mountConsole(hub, { store, policy, log, systems: [{ id: 'ats' }, { id: 'payroll' }] }) });
      const headers = { authorization: `Basic ${Buffer.from(`${EMAIL}:${PASSWORD}`).toString('base64')}` };
      const pages: ReadonlyArray<readonly [string, string]> = [
        ['health', '/console'],
        ['search_external_id', `/console/search?q=${world.externalId}`],
        ['search_name', '/console/search?q=Client%20Name%201999'],
        ['record', `/console/records/client/${world.clientId}`],
        ['ledger', '/console/ledger'],
        ['ledger_rare_actor', '/console/ledger?actor=user%3Anobody'],
        ['ledger_system_dates', '/console/ledger?system=payroll&from=2026-01-01&to=2026-01-02'],
        ['ledger_deep_page', `/console/ledger?before=${Math.floor(world.ledger / 2)}`],
        ['conflicts', '/console/conflicts'],
        ['conflicts_bulk_preview', '/console/conflicts/bulk?entity=client'],
        ['inbox', '/console/inbox'],
        ['outbox', '/console/outbox'],
        ['exceptions', '/console/exceptions'],
        ['runs', '/console/runs'],
        ['access', '/console/access'],
        ['imports', '/console/imports'],
      ];
      // The first request pays the password check (scrypt) once; later ones hit the Basic cache.
      await app.request('/console', { headers });
      const figures: Figure[] = [{ name: 'console.ledger_rows', value: world.ledger, gate: false }];
      const raw = store.db.prepare('SELECT * FROM ledger ORDER BY seq DESC LIMIT 51');
      const rawTimes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        raw.all();
        rawTimes.push(performance.now() - t);
      }
      figures.push({ name: 'console.baseline.raw_ledger_page_ms', value: median(rawTimes), gate: false });
      for (const [name, path] of pages) {
        const times: number[] = [];
        for (let i = 0; i < 5; i++) {
          const t = performance.now();
          const res = await app.request(path, { headers });
          await res.text();
          if (res.status !== 200 && res.status !== 303) throw new Error(`${path} answered ${res.status}`);
          times.push(performance.now() - t);
        }
        figures.push({ name: `console.${name}_ms`, value: median(times), target: { op: '<=', value: TARGET_MS } });
      }
      return figures;
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function seed(store: SqliteStore, ledgerRows: number): Promise<{ ledger: number; clientId: string; externalId: string }> {
  const now = '2026-01-01T00:00:00.000Z';
  const clients: CanonicalWrite[] = [];
  const candidates: CanonicalWrite[] = [];
  for (let i = 0; i < 2000; i++) {
    clients.push({ id: newId(), changedAt: now, fields: { name: `Client Name ${i}`, status: 'active', phone: '555-0100', website: null, billingFrequency: 'weekly', addressLine1: null, city: 'Dayton', state: 'OH', postalCode: null } });
    candidates.push({ id: newId(), changedAt: now, fields: { firstName: `Cand${i}`, lastName: 'Bench', email: `cand${i}@example.test`, phone: null, city: null, state: null, status: 'active', employeeType: 'w2' } });
  }
  const clientId = clients[0]?.id ?? '';
  await store.unitOfWork(async (tx) => {
    await tx.canonical.insertMany('client', clients, now);
    await tx.canonical.insertMany('candidate', candidates, now);
    await createUser(tx, { email: EMAIL, role: 'ops_admin', password: PASSWORD }, now);
  });
  const db = store.db;
  db.transaction(() => {
    const link = db.prepare("INSERT INTO links (system, entity, external_id, canonical_id, state, created_at, updated_at) VALUES (?, ?, ?, ?, 'linked', ?, ?)");
    clients.forEach((c, i) => { link.run('ats', 'client', `c${i}`, c.id, now, now); link.run('payroll', 'client', `p${i}`, c.id, now, now); });
    const ledger = db.prepare(`INSERT INTO ledger (at, direction, system, entity, canonical_id, external_id, action, outcome, diff, reason, actor, run_id)
      VALUES (?, 'in', ?, 'client', ?, ?, 'update', ?, ?, NULL, ?, NULL)`);
    const start = Date.parse(now);
    for (let i = 0; i < ledgerRows; i++) {
      const c = clients[i % clients.length];
      const system = i % 2 === 0 ? 'ats' : 'payroll';
      const outcome = i % 100 === 0 ? 'rejected' : i % 50 === 0 ? 'conflict' : 'applied';
      const diff = JSON.stringify([{ field: 'phone', from: '555-0100', to: `555-${String(i % 10_000).padStart(4, '0')}`, result: outcome === 'conflict' ? 'conflict' : 'applied' }]);
      ledger.run(new Date(start + i * 1000).toISOString(), system, c?.id ?? null, `c${i % clients.length}`, outcome, diff, system);
    }
    const conflict = db.prepare(`INSERT INTO conflicts (id, entity, canonical_id, field, system, external_id, base, current, incoming, status, opened_at)
      VALUES (?, 'client', ?, 'phone', 'payroll', ?, '"555-0100"', '"555-0200"', '"555-0300"', 'open', ?)`);
    for (let i = 0; i < 500; i++) conflict.run(newId(), clients[i]?.id ?? '', `p${i}`, now);
    const inbox = db.prepare(`INSERT INTO inbox (id, system, event_id, kind, entity, external_id, payload, status, attempts, received_at)
      VALUES (?, ?, ?, 'webhook', 'client', ?, '{"id":1}', ?, 1, ?)`);
    for (let i = 0; i < 20_000; i++) inbox.run(newId(), i % 2 === 0 ? 'ats' : 'payroll', `evt-${i}`, `c${i % 2000}`, i % 500 === 0 ? 'failed' : 'done', new Date(start + i * 5000).toISOString());
    const outbox = db.prepare(`INSERT INTO outbox (id, system, entity, canonical_id, op, fields, reason, status, attempts, last_error, idempotency_key, created_at, updated_at)
      VALUES (?, 'payroll', 'client', ?, 'update', '["phone"]', 'owner changed', ?, 1, ?, ?, ?, ?)`);
    for (let i = 0; i < 2000; i++) outbox.run(newId(), clients[i]?.id ?? '', i % 20 === 0 ? 'failed' : 'done', i % 20 === 0 ? 'payroll answered 422' : null, newId(), now, now);
    const audit = db.prepare(`INSERT INTO audit_log (id, at, actor_type, actor_id, action, outcome) VALUES (?, ?, 'user', 'u1', 'records.read', 'success')`);
    for (let i = 0; i < 5000; i++) audit.run(newId(), new Date(start + i * 1000).toISOString());
    const run = db.prepare(`INSERT INTO runs (id, kind, system, entity, status, counts, started_at, finished_at) VALUES (?, 'pull', ?, 'client', 'succeeded', '{"created":1}', ?, ?)`);
    for (let i = 0; i < 200; i++) run.run(newId(), i % 2 === 0 ? 'ats' : 'payroll', new Date(start + i * 60_000).toISOString(), new Date(start + i * 60_000 + 1000).toISOString());
  })();
  return { ledger: ledgerRows, clientId, externalId: 'p1999' };
}
