import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluateIssues, listIssues } from '../../src/http/console/queries/health.ts';
import type { CrosswalkApp } from '../../src/http/app.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { AUTH, basic, consoleApp, NOW, seedConsoleWorld, VIEWER, VIEWER_PASSWORD, type ConsoleWorld } from './support/console.ts';
import { seedScreens, type ScreensWorld } from './support/console-screens.ts';

let t: TempStore;
let w: ConsoleWorld;
let s: ScreensWorld;
let app: CrosswalkApp;
beforeEach(async () => {
  t = openTempStore();
  w = await seedConsoleWorld(t.store);
  s = await seedScreens(t.store, w);
  app = consoleApp(t.store, w.policy);
});
afterEach(() => t.dispose());

const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };

/** Every action the new screens post to, with a body that would succeed for an ops admin. */
const actions = (): Array<[string, string]> => [
  [`/console/inbox/${s.failedInboxId}/replay`, ''],
  ['/console/outbox/replay-matching', 'expected=1'],
  [`/console/exceptions/identity/${s.reviewId}/split`, ''],
  ['/console/exceptions/links/retry', 'system=ats&entity=assignment&externalId=a-held'],
  [`/console/access/keys/${s.keyId}/revoke`, ''],
  ['/console/access/view-as', `contactId=${s.contactId}`],
  ['/console/conflicts/bulk?entity=client', 'expected=1&choice=incoming'],
];

describe('console actions: roles and CSRF', () => {
  it('refuses every action to a viewer with 403 and changes nothing', async () => {
    const auditBefore = (await t.store.repos.audit.list({ limit: 1000 })).filter((e) => e.action.startsWith('console.')).length;
    for (const [path, body] of actions()) {
      const r = await app.request(path, { method: 'POST', headers: { authorization: basic(VIEWER, VIEWER_PASSWORD), ...FORM }, body });
      expect(r.status, path).toBe(403);
    }
    expect((await t.store.repos.inbox.get(s.failedInboxId))?.status).toBe('failed');
    expect((await t.store.repos.identity.get(s.reviewId))?.status).toBe('open');
    expect((await t.store.repos.access.keyById(s.keyId))?.revokedAt).toBeNull();
    expect((await t.store.repos.conflicts.get(w.conflictId))?.status).toBe('open');
    expect((await t.store.repos.audit.list({ limit: 1000 })).filter((e) => e.action.startsWith('console.')).length).toBe(auditBefore);
  });

  it('refuses every action posted from another origin, even for an ops admin', async () => {
    for (const [path, body] of actions()) {
      const r = await app.request(path, { method: 'POST', headers: { ...AUTH, ...FORM, origin: 'https://evil.example.test' }, body });
      expect(r.status, path).toBe(403);
    }
    expect((await t.store.repos.access.keyById(s.keyId))?.revokedAt).toBeNull();
  });

  it('refuses a bulk resolution whose confirmed count no longer matches the filter', async () => {
    const r = await app.request('/console/conflicts/bulk?entity=client', { method: 'POST', headers: { ...AUTH, ...FORM }, body: 'expected=2&choice=incoming' });
    expect(r.status).toBe(409);
    expect(await r.text()).toContain('now matches 1 open conflicts, not the 2 you confirmed');
    expect((await t.store.repos.conflicts.get(w.conflictId))?.status).toBe('open');
  });

  it('hides the viewer\'s pay data on the record, ledger and conflict pages', async () => {
    const headers = { authorization: basic(VIEWER, VIEWER_PASSWORD) };
    const record = await (await app.request(`/console/records/assignment_rate/${w.rateId}`, { headers })).text();
    expect(record).not.toContain('2500');
    expect(record).toContain('pay data hidden for your role');
  });
});

describe('durable ops issues', () => {
  it('opens one issue per problem, counts what it sees again, and resolves it when the condition clears', async () => {
    await evaluateIssues(t.store, ['ats', 'payroll'], NOW);
    await evaluateIssues(t.store, ['ats', 'payroll'], '2026-04-01T09:05:00.000Z');
    const open = (await listIssues(t.store, 10)).open;
    const parked = open.find((i) => i.check === 'outbox_parked');
    expect(parked).toMatchObject({ system: 'payroll', firstSeen: NOW, lastSeen: '2026-04-01T09:05:00.000Z', count: 2, resolvedAt: null });
    expect(open.find((i) => i.check === 'inbox_failed')).toMatchObject({ system: 'ats', count: 2 });
    expect(open.find((i) => i.check === 'reconcile_drift')).toMatchObject({ system: 'payroll' });
    await t.store.unitOfWork(async (tx) => tx.outbox.replay([w.parkedId], NOW));
    await evaluateIssues(t.store, ['ats', 'payroll'], '2026-04-01T09:10:00.000Z');
    const after = await listIssues(t.store, 10);
    expect(after.open.find((i) => i.check === 'outbox_parked')).toBeUndefined();
    expect(after.resolved.find((i) => i.check === 'outbox_parked')).toMatchObject({ resolvedAt: '2026-04-01T09:10:00.000Z', count: 2 });
    const page = await (await app.request('/console', { headers: AUTH })).text();
    expect(page).toContain('data-issue="inbox_failed:ats"');
  });

  it('opens a mapping issue while a mapping file fails its check, and resolves it once the file is fixed', async () => {
    let errors = [{ file: 'bullhorn/placement.yaml', systems: ['bullhorn'], message: 'unknown canonical field payRate' }];
    const context = { mappingErrors: () => errors };
    await evaluateIssues(t.store, [], NOW, context);
    expect((await listIssues(t.store, 10)).open.find((i) => i.check === 'mapping_invalid')).toMatchObject({ system: 'bullhorn', detail: 'bullhorn/placement.yaml: unknown canonical field payRate' });
    errors = [];
    await evaluateIssues(t.store, [], '2026-04-01T09:01:00.000Z', context);
    expect((await listIssues(t.store, 10)).resolved.find((i) => i.check === 'mapping_invalid')).toMatchObject({ resolvedAt: '2026-04-01T09:01:00.000Z' });
  });
});

describe('console exceptions: time held after the cutoff', () => {
  it('lists a held approval with its release action; ops release it once (a second is 409), a viewer may not', async () => {
    const { applyLocalChange } = await import('../../src/engine/index.ts');
    const entryId = await t.store.unitOfWork(async (tx) =>
      (await applyLocalChange(tx, w.policy, {
        entity: 'time_entry', actor: 'seed', overrideOwnership: true,
        changes: {
          assignmentId: w.assignmentId, workDate: '2026-02-23', regularHours: 8, overtimeHours: 0, doubleTimeHours: 0, status: 'approved',
          approvedById: null, approvedAt: NOW, note: null, adjustsEntryId: null, disputeReason: null, payrollHeldUntil: '2026-03-02',
        },
      }, NOW)).canonicalId,
    );
    // As in the shipped mappings, the hold is the portal's own field: no source system sets it.
    const { policy, allFields } = await import('../support/policy.ts');
    const { entityFields } = await import('../../src/model/index.ts');
    const portalHolds = policy().in('timeclock', 'time_entry', { fields: allFields(entityFields('time_entry').filter((f) => f !== 'payrollHeldUntil'), 'timeclock') }).build();
    const app = consoleApp(t.store, portalHolds);
    const page = await app.request('/console/exceptions?kind=time_exceptions', { headers: AUTH });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(entryId);
    expect(html).toContain('held until 2026-03-02');
    expect(html).toContain('release to payroll now');

    const post = (headers: Record<string, string>) => app.request('/console/exceptions/time/release', { method: 'POST', headers: { ...headers, ...FORM }, body: `timeEntryId=${entryId}` });
    expect((await post({ authorization: basic(VIEWER, VIEWER_PASSWORD) })).status).toBe(403);
    expect((await t.store.repos.canonical.get('time_entry', entryId))?.fields['payrollHeldUntil']).toBe('2026-03-02');
    expect((await post(AUTH)).status).toBe(200);
    expect((await t.store.repos.canonical.get('time_entry', entryId))?.fields['payrollHeldUntil']).toBeNull();
    expect((await post(AUTH)).status).toBe(409);
    const audit = (await t.store.repos.audit.list({ limit: 100 })).filter((e) => e.action === 'console.time.release');
    expect(audit).toHaveLength(1);
  });
});
