import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, ownedFields, StaticPolicy, SHARED } from '../../src/engine/index.ts';
import { SqliteStore } from '../../src/store/index.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/crosswalk.js');

/** Runs the real CLI in a child process against the temp database; never throws on a non-zero exit. */
async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, LOG_LEVEL: 'silent' }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('the crosswalk command', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crosswalk-cli-'));
    // A config with no systems: the commands under test read the store, not vendors.
    writeFileSync(join(dir, 'crosswalk.config.yaml'), 'database: ./hub.sqlite\nmappings: ./mappings\n');
    env = { CROSSWALK_CONFIG: join(dir, 'crosswalk.config.yaml') };
    // Seed a conflict: two systems change the shared phone of one client.
    const store = SqliteStore.open(join(dir, 'hub.sqlite'));
    const fields = ['name', 'status', 'phone'];
    const policy = new StaticPolicy({
      inbound: {
        ats: { client: { fields: new Map([...ownedFields('ats', ['name', 'status']), ['phone', { owner: SHARED, conflict: 'manual' }]]), match: { byEmail: false, unmatched: 'create' } } },
        payroll: { client: { fields: new Map([...ownedFields('ats', ['name']), ['phone', { owner: SHARED, conflict: 'manual' }]]), match: { byEmail: false, unmatched: 'create' } } },
      },
    });
    const engine = new Engine(store, { policy });
    const at = (m: number) => new Date(Date.UTC(2026, 10, 20, 8, m)).toISOString();
    await engine.apply({ system: 'ats', entity: 'client', records: [{ externalId: 'C1', sourceModifiedAt: at(0), values: { name: 'Harbor Cold Storage', status: 'active', phone: '216-555-0100' } }] });
    const id = (await store.repos.links.get('ats', 'client', 'C1'))?.canonicalId ?? '';
    await engine.apply({ system: 'payroll', entity: 'client', records: [{ externalId: 'P1', sourceModifiedAt: at(1), values: { name: 'Harbor Cold Storage', phone: '216-555-0100' }, match: { canonicalId: id } }] });
    await engine.apply({ system: 'ats', entity: 'client', records: [{ externalId: 'C1', sourceModifiedAt: at(2), values: { name: 'Harbor Cold Storage', status: 'active', phone: '216-555-0111' } }] });
    await engine.apply({ system: 'payroll', entity: 'client', records: [{ externalId: 'P1', sourceModifiedAt: at(3), values: { name: 'Harbor Cold Storage', phone: '216-555-0199' } }] });
    expect(fields).toHaveLength(3);
    store.close();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('db migrate creates every table and says so', async () => {
    const r = await cli(['db', 'migrate', '--json'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { tables: string[] };
    for (const t of ['clients', 'assignments', 'assignment_rates', 'time_entries', 'time_entry_events', 'invoices', 'invoice_lines', 'documents', 'links', 'ledger', 'conflicts', 'inbox', 'outbox', 'runs', 'sync_cursors']) {
      expect(out.tables).toContain(t);
    }
  });

  it('status reports counts as JSON', async () => {
    const r = await cli(['status', '--json'], env);
    expect(r.code).toBe(0);
    const status = JSON.parse(r.stdout) as { canonical: Record<string, number>; openConflicts: number; ledger: Record<string, number> };
    expect(status.canonical['client']).toBe(1);
    expect(status.openConflicts).toBe(1);
    expect(status.ledger['conflict']).toBe(1);
  });

  it('ledger filters by system and outcome', async () => {
    const all = JSON.parse((await cli(['ledger', '--json'], env)).stdout) as unknown[];
    const conflicts = JSON.parse((await cli(['ledger', '--outcome', 'conflict', '--json'], env)).stdout) as Array<{ system: string; diff: Array<{ field: string; result: string }> }>;
    expect(all.length).toBeGreaterThan(conflicts.length);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]?.system).toBe('payroll');
    expect(conflicts[0]?.diff).toContainEqual(expect.objectContaining({ field: 'phone', result: 'conflict' }));
    const bad = await cli(['ledger', '--outcome', 'maybe'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--outcome must be one of');
  });

  it('conflicts list, show and resolve, with who and why', async () => {
    const list = JSON.parse((await cli(['conflicts', 'list', '--json'], env)).stdout) as Array<{ id: string; field: string; current: string; incoming: string }>;
    expect(list).toHaveLength(1);
    const conflict = list[0];
    expect(conflict).toMatchObject({ field: 'phone', current: '216-555-0111', incoming: '216-555-0199' });
    const show = await cli(['conflicts', 'show', conflict?.id ?? ''], env);
    expect(show.stdout).toContain('incoming            216-555-0199');
    const refused = await cli(['conflicts', 'resolve', conflict?.id ?? ''], env);
    expect(refused.code).toBe(2);
    const resolved = await cli(['conflicts', 'resolve', conflict?.id ?? '', '--take', 'incoming', '--by', 'ops:dana', '--reason', 'payroll confirmed the new number', '--json'], env);
    expect(resolved.code).toBe(0);
    expect(JSON.parse(resolved.stdout)).toEqual([expect.objectContaining({ ok: true, value: '216-555-0199' })]);
    const again = await cli(['conflicts', 'resolve', conflict?.id ?? '', '--take', 'current'], env);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('already resolved by ops:dana');
    const ledger = JSON.parse((await cli(['ledger', '--json'], env)).stdout) as Array<{ action: string; actor: string; reason: string }>;
    expect(ledger.find((e) => e.action === 'resolve')).toMatchObject({ actor: 'ops:dana' });
    expect(ledger.find((e) => e.action === 'resolve')?.reason).toContain('payroll confirmed the new number');
  });

  it('mappings check names file, line and path of each error, and fails', async () => {
    const broken = join(import.meta.dirname, '../fixtures/mappings-broken/bad-path/mappings');
    const r = await cli(['mappings', 'check', '--dir', broken], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('gusto/employee.yaml:7 fields[0].from: bad path');
  });

  it('runs, outbox and links answer on an empty history', async () => {
    expect(JSON.parse((await cli(['runs', 'list', '--json'], env)).stdout)).toEqual([]);
    expect(JSON.parse((await cli(['outbox', 'list', '--json'], env)).stdout)).toEqual([]);
    expect(JSON.parse((await cli(['links', 'list', '--state', 'parked', '--json'], env)).stdout)).toEqual([]);
  });

  it('a missing config file is a clear error, not a stack', async () => {
    const r = await cli(['status'], { CROSSWALK_CONFIG: join(dir, 'nope.yaml') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/configuration: .*not found/);
    expect(r.stderr).not.toContain('    at ');
  });
});
