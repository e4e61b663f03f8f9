import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerReconcile } from '../../src/cli/commands/reconcile.ts';
import { CliContext } from '../../src/cli/context.ts';
import type { Hub } from '../../src/hub.ts';
import { openTestHub, syncDirect, type TestHub } from './support/hub.ts';

class TestContext extends CliContext {
  constructor(private readonly testHub: Hub) {
    super();
  }
  override hub(): Hub {
    return this.testHub;
  }
}

async function run(t: TestHub, args: string[]): Promise<{ out: string; exitCode: number | undefined }> {
  const program = new Command('crosswalk').exitOverride();
  registerReconcile(program, new TestContext(t.hub));
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const before = process.exitCode;
  try {
    await program.parseAsync(['node', 'crosswalk', ...args]);
    return { out, exitCode: process.exitCode === before ? undefined : Number(process.exitCode) };
  } finally {
    spy.mockRestore();
    process.exitCode = before;
  }
}

describe('crosswalk reconcile', () => {
  let t: TestHub;
  beforeEach(async () => {
    t = openTestHub();
    for (let i = 1; i <= 5; i++) t.vendors.ats.create('Company', { id: String(i), name: `Cedar Row ${i}`, status: 'active', phone: null });
    for (let i = 1; i <= 2; i++) t.vendors.ats.create('Person', { id: String(i), firstName: `Jo${i}`, lastName: 'Marsh', email: `jo${i}@example.test`, status: 'placed' });
    t.vendors.payroll.create('employees', { id: 'e1', uuid: 'e1', atsPersonId: '1', email: 'jo1@example.test' });
    await syncDirect(t, 'ats', 'Company');
    await syncDirect(t, 'ats', 'Person');
    await syncDirect(t, 'payroll', 'employees');
  });
  afterEach(async () => t.close());

  it('reconciles every system, ATS first, and prints one JSON report per run', async () => {
    t.vendors.ats.edit('Company', '2', { name: 'Cedar Row Two' });
    const { out, exitCode } = await run(t, ['reconcile', '--json']);
    const parsed = JSON.parse(out) as { runs: Array<{ system: string; entity: string; status: string; report: { counts: Record<string, number>; orphans: unknown } }> };
    expect(parsed.runs.map((r) => [r.system, r.entity, r.status])).toEqual([
      ['ats', 'Company', 'succeeded'], ['ats', 'Person', 'succeeded'], ['ats', 'Placement', 'succeeded'], ['ats', 'Timecard', 'succeeded'],
      ['payroll', 'employees', 'succeeded'],
    ]);
    expect(parsed.runs[0]?.report.counts).toMatchObject({ seen: 5, changed: 1, repaired: 1 });
    // Both candidates are placed but none has an assignment: payroll's employee e1 is an orphan.
    expect(parsed.runs[4]?.report.orphans).toMatchObject({ payroll_employee_without_assignment: { count: 1 } });
    expect(exitCode).toBeUndefined();
  });

  it('prints a table and the reason tombstones were skipped, and exits 1 when a run needs a person', async () => {
    t.vendors.ats.setListingEmpty(true);
    const { out, exitCode } = await run(t, ['reconcile', 'ats', '--entity', 'client']);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^system\s+entity\s+status\s+seen\s+matched\s+added\s+changed\s+repaired/);
    expect(lines[2]).toMatch(/^ats\s+Company\s+partial\s+0\s+0/);
    expect(lines).toContain('ats Company: client: listing shrank suspiciously: 0 of 5 (an empty listing) — no tombstones');
    expect(exitCode).toBe(1);
  });
});
