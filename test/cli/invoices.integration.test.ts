import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/index.ts';
import { tempDir } from '../support/temp-store.ts';

const BIN = join(import.meta.dirname, '../../bin/crosswalk.js');
const NOW = '2026-03-20T08:00:00.000Z';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string>): Promise<Run> {
  const base = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', LOG_LEVEL: 'silent' };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** `crosswalk invoices draft|issue|list|show` against a real file, as billing staff would run them. */
describe('crosswalk invoices', () => {
  const d = tempDir();
  const db = join(d.dir, 'hub.sqlite');
  const config = join(d.dir, 'crosswalk.config.yaml');
  const env = { CROSSWALK_CONFIG: config, CROSSWALK_DB: db };

  beforeAll(async () => {
    // Client B's invoices come from billing's system: the hub never drafts them.
    writeFileSync(config, 'invoicing:\n  clients:\n    cli-b: import\n');
    const store = SqliteStore.open(db);
    await store.unitOfWork(async (tx) => {
      const ins = (entity: Parameters<typeof tx.canonical.insertMany>[0], id: string, fields: Record<string, string | number | null>) =>
        tx.canonical.insertMany(entity, [{ id, fields, changedAt: null }], NOW);
      for (const c of ['cli-a', 'cli-b']) {
        await ins('client', c, { name: `Client ${c}`, status: 'active', phone: null, website: null, billingFrequency: null, addressLine1: null, city: null, state: null, postalCode: null });
        await ins('worksite', `ws-${c}`, { clientId: c, name: 'Dock', status: 'active', addressLine1: null, city: null, state: null, postalCode: null, timeZone: null });
        await ins('candidate', `cand-${c}`, { firstName: 'Ada', lastName: 'Quist', email: null, phone: null, city: null, state: null, status: 'placed', employeeType: 'w2' });
        await ins('assignment', `asg-${c}`, { candidateId: `cand-${c}`, requisitionId: null, worksiteId: `ws-${c}`, approverContactId: null, title: null, startDate: '2026-01-01', endDate: null, status: 'active' });
        await ins('assignment_rate', `rate-${c}`, { assignmentId: `asg-${c}`, effectiveFrom: '2026-01-01', payRateCents: 1500, billRateCents: 2875, otPayRateCents: null, otBillRateCents: null, dtPayRateCents: null, dtBillRateCents: null });
        for (const day of ['2026-03-09', '2026-03-10']) {
          await ins('time_entry', `te-${c}-${day}`, { assignmentId: `asg-${c}`, workDate: day, regularHours: 8, overtimeHours: 0, doubleTimeHours: 0, status: 'approved', approvedById: null, approvedAt: NOW, note: null });
        }
      }
    });
    store.close();
  });
  afterAll(() => d.dispose());

  it('drafts every hub client with progress, issues once, lists', async () => {
    const drafted = await cli(['invoices', 'draft', '--all', '--date', '2026-03-11', '--json'], env);
    expect(drafted.code, drafted.stderr).toBe(0);
    expect(drafted.stderr).toContain('drafted 2/2 clients');
    const rows = JSON.parse(drafted.stdout) as Array<{ client: string; id: string; lines: number; total: string; note: string }>;
    expect(rows.find((r) => r.client === 'cli-a')).toMatchObject({ lines: 1, total: '460.00', note: '' });
    expect(rows.find((r) => r.client === 'cli-b')?.note).toMatch(/invoiced from its billing system/);
    const id = rows.find((r) => r.client === 'cli-a')?.id ?? '';

    const issued = await cli(['invoices', 'issue', id], env);
    expect(issued.code, issued.stderr).toBe(0);
    expect(issued.stdout).toMatch(/^issued INV-20260309-\w+: 2 time entries invoiced\n$/);
    const again = await cli(['invoices', 'issue', id], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^crosswalk: invoice INV-20260309-\w+ is already issued \(at .+ by cli:/);

    const list = JSON.parse((await cli(['invoices', 'list', '--status', 'issued', '--json'], env)).stdout) as Array<{ id: string; status: string }>;
    expect(list).toEqual([expect.objectContaining({ id, status: 'issued' })]);
  }, 60_000);
});
