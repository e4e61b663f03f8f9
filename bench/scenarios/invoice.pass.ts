import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { draftInvoice } from '../../src/invoicing/draft.ts';
import { DEFAULT_INVOICING } from '../../src/invoicing/source.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { passArgs, reportPass } from '../lib/child.ts';

/**
 * One measured pass of the invoice scenario, in its own process, on a fresh file seeded the same way
 * for both sides: `clients` clients billed monthly, each with assignments working every weekday of
 * March 2026, two bill rate rows per assignment (a raise mid-month; overtime rates), about one day in
 * five with overtime. Sides:
 * - raw: one SQL aggregate of the same approved hours × the bill rate in effect, per client,
 *   assignment, rate row and hour type (the rate found by a correlated subquery), amounts computed;
 * - hub: `draftInvoice` for every client, each in its own unit of work (lines, links, ledger).
 */
interface Args {
  side: 'raw' | 'hub';
  entries: number;
  clients: number;
}

const args = passArgs<Args>();
const dir = mkdtempSync(join(tmpdir(), 'crosswalk-bench-invoice-'));
const NOW = '2026-04-02T08:00:00.000Z';
const WORKDAYS = Array.from({ length: 31 }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`).filter((d) => {
  const day = new Date(`${d}T00:00:00Z`).getUTCDay();
  return day !== 0 && day !== 6;
});

function seed(store: SqliteStore): number {
  const db = store.db;
  const perClient = Math.ceil(args.entries / args.clients / WORKDAYS.length);
  const ins = (table: string, cols: string[]) => db.prepare(`INSERT INTO ${table} (id, created_at, updated_at, ${cols.join(', ')}) VALUES (?, '${NOW}', '${NOW}', ${cols.map(() => '?').join(', ')})`);
  const client = ins('clients', ['name', 'status', 'billing_frequency']);
  const worksite = ins('worksites', ['client_id', 'name', 'status']);
  const candidate = ins('candidates', ['first_name', 'last_name', 'status']);
  const assignment = ins('assignments', ['candidate_id', 'worksite_id', 'start_date', 'status']);
  const rate = ins('assignment_rates', ['assignment_id', 'effective_from', 'pay_rate_cents', 'bill_rate_cents', 'ot_pay_rate_cents', 'ot_bill_rate_cents']);
  const entry = ins('time_entries', ['assignment_id', 'work_date', 'regular_hours', 'overtime_hours', 'double_time_hours', 'status', 'approved_at']);
  let n = 0;
  db.transaction(() => {
    candidate.run('cand', 'Ada', 'Quist', 'placed');
    for (let c = 0; c < args.clients && n < args.entries; c++) {
      const cid = `cli-${String(c).padStart(4, '0')}`;
      client.run(cid, `Client ${c}`, 'active', 'monthly');
      worksite.run(`ws-${cid}`, cid, 'Main', 'active');
      for (let a = 0; a < perClient && n < args.entries; a++) {
        const aid = `asg-${cid}-${String(a).padStart(5, '0')}`;
        assignment.run(aid, 'cand', `ws-${cid}`, '2026-01-01', 'active');
        const bill = 2_500 + ((c * 131 + a * 17) % 2_000);
        rate.run(`${aid}-r1`, aid, '2026-01-01', 1_800, bill, 2_700, Math.round(bill * 1.5));
        rate.run(`${aid}-r2`, aid, '2026-03-16', 1_900, bill + 75, 2_850, Math.round((bill + 75) * 1.5));
        for (let d = 0; d < WORKDAYS.length && n < args.entries; d++, n++) {
          const ot = (a + d) % 5 === 0 ? 1.5 + ((a + d) % 3) * 0.25 : 0;
          entry.run(`te-${aid}-${String(d).padStart(2, '0')}`, aid, WORKDAYS[d], 8 - ((a + d) % 4) * 0.25, ot, 0, d % 2 === 0 ? 'approved' : 'exported', NOW);
        }
      }
    }
  })();
  return n;
}

const RAW = `
  SELECT client_id, assignment_id, rate_id, sum(reg) AS reg, sum(ot) AS ot, bill, ot_bill FROM (
    SELECT w.client_id, te.assignment_id, ar.id AS rate_id, ar.bill_rate_cents AS bill, ar.ot_bill_rate_cents AS ot_bill,
      CAST(round(te.regular_hours * 100) AS INTEGER) AS reg, CAST(round(te.overtime_hours * 100) AS INTEGER) AS ot
    FROM time_entries te
    JOIN assignments a ON a.id = te.assignment_id
    JOIN worksites w ON w.id = a.worksite_id
    JOIN assignment_rates ar ON ar.assignment_id = te.assignment_id AND ar.effective_from = (
      SELECT max(effective_from) FROM assignment_rates r WHERE r.assignment_id = te.assignment_id AND r.effective_from <= te.work_date)
    WHERE te.status IN ('approved', 'exported') AND te.work_date <= '2026-03-31'
  ) GROUP BY client_id, assignment_id, rate_id`;

/** Half-to-even of n / 100, as the hub rounds a line. */
function roundLine(n: number): number {
  const q = Math.floor(n / 100);
  const r = n - q * 100;
  return r > 50 || (r === 50 && q % 2 === 1) ? q + 1 : q;
}

const store = SqliteStore.open(join(dir, 'bench.sqlite'));
try {
  const seeded = seed(store);
  const clients = store.db.prepare('SELECT id FROM clients ORDER BY id').pluck().all() as string[];
  globalThis.gc?.();
  let total = 0;
  let lines = 0;
  const t0 = performance.now();
  if (args.side === 'raw') {
    for (const row of store.db.prepare(RAW).iterate() as Iterable<{ reg: number; ot: number; bill: number; ot_bill: number }>) {
      total += roundLine(row.reg * row.bill) + (row.ot > 0 ? roundLine(row.ot * row.ot_bill) : 0);
      lines += row.ot > 0 ? 2 : 1;
    }
  } else {
    for (const clientId of clients) {
      const out = await store.unitOfWork((tx) => draftInvoice(tx, { clientId, date: '2026-03-15', actor: 'bench', now: NOW, settings: DEFAULT_INVOICING }));
      total += out.result.totalCents;
      lines += out.result.lines.length;
      if (out.result.held.length > 0) throw new Error(`client ${clientId}: ${out.result.held.length} held lines`);
    }
  }
  const ms = performance.now() - t0;
  reportPass(seeded, ms, { totalCents: total, lines });
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
