import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from '../run.ts';
import { median, type Figure } from '../lib/figures.ts';
import { createApiKey } from '../../src/access/credentials/api-keys.ts';
import { loadAccess, scopeOf } from '../../src/access/policy.ts';
import type { ContactPrincipal } from '../../src/access/principal.ts';
import { StaticPolicy } from '../../src/engine/index.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer } from '../../src/http/server.ts';
import { newId } from '../../src/lib/ids.ts';
import { Keyring } from '../../src/lib/secret-box.ts';
import { SqliteStore, type CanonicalWrite } from '../../src/store/index.ts';

/**
 * Issue 10's benchmark. (1) A scoped list of 100 time entries for an approver — its roles loaded and
 * the SQL scope applied, as every request does — against the same-size list read unscoped through
 * the repositories, alternating, medians of 5 rounds. (2) The p99 latency of that authenticated read
 * over real HTTP (API key, policy, scope, field filter, audit row) at a steady 200 requests/s.
 */
export const scenario: Scenario = {
  name: 'access',
  description: 'scoped list for an approver vs unscoped repository read; p99 of an authenticated read at 200 req/s',
  async run({ quick }) {
    const dir = mkdtempSync(join(tmpdir(), 'crosswalk-bench-access-'));
    const store = SqliteStore.open(join(dir, 'bench.sqlite'), { keyring: Keyring.generate() });
    try {
      const world = await seed(store, quick ? 10 : 40);
      const principal: ContactPrincipal = {
        kind: 'contact', id: world.approverId, clientId: world.clientId, email: null, onBehalfOf: null, readOnly: false, limits: null,
        credential: { type: 'api_key', id: 'bench' },
      };
      const now = new Date().toISOString();
      const scoped = async () => {
        const access = await loadAccess(store.repos, principal, now);
        const scope = scopeOf(access, 'time_entry');
        return store.repos.canonical.list('time_entry', { limit: 100, ...(scope === undefined ? {} : { scope }) });
      };
      const unscoped = async () => store.repos.canonical.list('time_entry', { limit: 100 });
      const check = await scoped();
      if (check.length !== 100) throw new Error(`the approver should see 100 entries, saw ${check.length}`);
      const rate = async (fn: () => Promise<unknown>, ms: number) => {
        let n = 0;
        const until = performance.now() + ms;
        while (performance.now() < until) {
          await fn();
          n++;
        }
        return n / (ms / 1000);
      };
      await rate(scoped, 300);
      await rate(unscoped, 300);
      const ratios: number[] = [];
      const scopedRates: number[] = [];
      const rawRates: number[] = [];
      for (let i = 0; i < 5; i++) {
        const raw = await rate(unscoped, quick ? 300 : 1000);
        const hub = await rate(scoped, quick ? 300 : 1000);
        rawRates.push(raw);
        scopedRates.push(hub);
        ratios.push(hub / raw);
      }

      // (2) over HTTP, open loop at 200 requests per second.
      const key = await store.unitOfWork(async (tx) =>
        (await createApiKey(tx, { name: 'bench', ownerKind: 'contact', ownerId: world.approverId, role: null, scopes: ['read'], clientId: null, worksiteId: null, expiresAt: null, createdBy: 'bench' }, now)).key,
      );
      const app = createApp({ store, policy: new StaticPolicy({ inbound: {}, outbound: {} }), adminToken: null, systems: [] });
      const server = await startServer(app, { host: '127.0.0.1', port: 0 });
      const latencies: number[] = [];
      try {
        const url = `${server.url}/api/v1/records/time_entry?limit=100`;
        const headers = { authorization: `Bearer ${key}` };
        for (let i = 0; i < 50; i++) await (await fetch(url, { headers })).arrayBuffer();
        const total = quick ? 600 : 2000;
        const start = performance.now();
        const inflight: Array<Promise<void>> = [];
        for (let i = 0; i < total; i++) {
          const due = start + i * 5;
          const wait = due - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          inflight.push(
            (async () => {
              const t = performance.now();
              const res = await fetch(url, { headers });
              await res.arrayBuffer();
              if (res.status !== 200) throw new Error(`status ${res.status}`);
              latencies.push(performance.now() - t);
            })(),
          );
        }
        await Promise.all(inflight);
      } finally {
        await server.close();
      }
      latencies.sort((a, b) => a - b);
      const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? Number.NaN;
      const figures: Figure[] = [
        { name: 'access.time_entries', value: world.entries, gate: false },
        { name: 'access.unscoped_lists_per_s', value: Math.round(median(rawRates)), gate: false },
        { name: 'access.scoped_lists_per_s', value: Math.round(median(scopedRates)), gate: false },
        { name: 'access.scoped_list.ratio', value: median(ratios), target: { op: '>=', value: 0.7 } },
        { name: 'access.http_read.p50_ms', value: pct(0.5), gate: false },
        { name: 'access.http_read.p99_ms', value: pct(0.99), target: { op: '<=', value: 10 } },
      ];
      return figures;
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/**
 * Clients × 5 worksites, an approver per worksite, 20 assignments per worksite and 30 days of time
 * each: the approver of the first worksite sees 600 of them. Written through the repositories.
 */
async function seed(store: SqliteStore, clients: number): Promise<{ approverId: string; clientId: string; entries: number }> {
  const now = new Date().toISOString();
  const rows: Record<string, CanonicalWrite[]> = { client: [], worksite: [], contact: [], contact_worksite_role: [], candidate: [], assignment: [], time_entry: [] };
  const push = (entity: string, fields: Record<string, string | number | null>) => {
    const id = newId();
    rows[entity]?.push({ id, fields, changedAt: null });
    return id;
  };
  let approverId = '';
  let firstClient = '';
  for (let c = 0; c < clients; c++) {
    const clientId = push('client', { name: `Client ${c}`, status: 'active', phone: null, website: null, billingFrequency: null, addressLine1: null, city: null, state: null, postalCode: null });
    if (c === 0) firstClient = clientId;
    for (let s = 0; s < 5; s++) {
      const worksiteId = push('worksite', { clientId, name: `Site ${c}.${s}`, status: 'active', addressLine1: null, city: null, state: null, postalCode: null, timeZone: null });
      const contactId = push('contact', { clientId, firstName: 'A', lastName: `${c}.${s}`, email: null, phone: null, title: null, status: 'active' });
      push('contact_worksite_role', { contactId, worksiteId, role: 'approver' });
      if (c === 0 && s === 0) approverId = contactId;
      for (let a = 0; a < 20; a++) {
        const candidateId = push('candidate', { firstName: 'W', lastName: `${c}.${s}.${a}`, email: null, phone: null, city: null, state: null, status: 'placed', employeeType: null });
        const assignmentId = push('assignment', { candidateId, requisitionId: null, worksiteId, approverContactId: contactId, title: null, startDate: '2026-01-01', endDate: null, status: 'active' });
        for (let d = 0; d < 30; d++) {
          push('time_entry', {
            assignmentId, workDate: `2026-01-${String(d + 1).padStart(2, '0')}`, regularHours: 8, overtimeHours: 0, doubleTimeHours: 0, status: 'submitted', approvedById: null, approvedAt: null, note: null,
          });
        }
      }
    }
  }
  await store.unitOfWork(async (tx) => {
    for (const entity of ['client', 'worksite', 'contact', 'contact_worksite_role', 'candidate', 'assignment', 'time_entry'] as const) {
      await tx.canonical.insertMany(entity, rows[entity] ?? [], now);
    }
  });
  store.db.pragma('optimize');
  return { approverId, clientId: firstClient, entries: rows['time_entry']?.length ?? 0 };
}
