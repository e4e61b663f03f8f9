import { createUser } from '../../../src/access/admin.ts';
import { applyLocalChange, type SyncPolicy } from '../../../src/engine/index.ts';
import { createApp, type CrosswalkApp } from '../../../src/http/app.ts';
import { mountConsole, type ConsoleDeps } from '../../../src/http/console/index.ts';
import type { HttpLogger } from '../../../src/http/deps.ts';
import type { SqliteStore, UserRole } from '../../../src/store/index.ts';
import { newEngine, standardPolicy } from '../../support/hub.ts';
import { candidateValues, clientValues, minute, rec, ref } from '../../support/records.ts';

/** The API's admin token (the console no longer takes it). */
export const TOKEN = 'console-test-admin-token-7d1e-0123456789ab';
/** The ops admin who signs in to the console; what she does is recorded as `user:<her id>`. */
export const USER = 'dana@ops.example.test';
export const PASSWORD = 'correct horse battery staple';
/** A viewer: reads every page, changes nothing. */
export const VIEWER = 'vik@ops.example.test';
export const VIEWER_PASSWORD = 'viewer password 2026';
/** A clock that never moves: the console's writes carry this time. */
export const NOW = '2026-04-01T09:00:00.000Z';

/** Vendor data ops must see as text: a tag that would run, and one that would break out of an attribute. */
export const SCRIPT_NAME = '<script>alert(1)</script>';
export const ATTRIBUTE_BREAKER = '"><img src=x onerror=alert(2)>';
export const PARKED_ERROR = 'payroll answered 422: <b>email</b> is not accepted';

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** Basic e-mail:password of the ops admin: what a script sends instead of signing in through the form. */
export const AUTH = { authorization: basic(USER, PASSWORD) };

/** Creates an active ops user with a password, as `crosswalk users create` does; returns its id. */
export async function createOpsUser(store: SqliteStore, email: string, role: UserRole, password: string): Promise<string> {
  return store.unitOfWork(async (tx) => (await createUser(tx, { email, role, password }, NOW)).id);
}

/** The `cw_session=…` pair of a Set-Cookie header, to send back as a Cookie header. */
export function sessionCookieOf(response: Response): string {
  const pair = response.headers.get('set-cookie')?.split(';')[0];
  if (pair === undefined || !pair.startsWith('cw_session=')) throw new Error(`no session cookie set (status ${response.status})`);
  return pair;
}

/** Signs in through the form (`POST /console/login`) and returns the session cookie to send. */
export async function signIn(app: { request: (path: string, init: RequestInit) => Response | Promise<Response> }, email = USER, password = PASSWORD): Promise<string> {
  const r = await app.request('/console/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
    body: new URLSearchParams({ email, password }).toString(),
  });
  if (r.status !== 303) throw new Error(`sign-in answered ${r.status}`);
  return sessionCookieOf(r);
}

export interface CapturedLog extends HttpLogger {
  readonly errors: unknown[];
}

export function captureLog(): CapturedLog {
  const errors: unknown[] = [];
  return { errors, error: (obj) => errors.push(obj), warn: () => undefined };
}

/** The hub's app with the console mounted the way `src/serve.ts` would mount it. */
export function consoleApp(store: SqliteStore, policy: SyncPolicy, over: Partial<ConsoleDeps> = {}, log: HttpLogger = captureLog()): CrosswalkApp {
  return createApp({
    store, policy, adminToken: TOKEN, systems: [], log, now: () => NOW,
    mount: (app) => mountConsole(app, { store, policy, now: () => NOW, log, systems: [{ id: 'ats' }, { id: 'payroll' }], ...over }),
  });
}

export interface ConsoleWorld {
  readonly policy: SyncPolicy;
  /** The client whose shared phone the ATS and payroll both changed. */
  readonly clientId: string;
  /** Open: phone base 555-0100, current 555-0200 (payroll), incoming 555-0300 (ATS). */
  readonly conflictId: string;
  /** A candidate named `<script>alert(1)</script>` with a last name that breaks out of attributes. */
  readonly candidateId: string;
  readonly assignmentId: string;
  /** An assignment rate paying 2500 cents an hour, billing 3900. */
  readonly rateId: string;
  /** The push of the candidate to payroll, parked with PARKED_ERROR. */
  readonly parkedId: string;
  /** A finished reconciliation whose report lists the candidate as an orphan. */
  readonly reconcileRunId: string;
  /** A finished pull whose report is free-form JSON carrying markup. */
  readonly pullRunId: string;
  /** The ops admin USER (password PASSWORD). */
  readonly opsUserId: string;
  /** The viewer VIEWER (password VIEWER_PASSWORD). */
  readonly viewerId: string;
}

/**
 * A small hub state written the way the hub writes it: records arrive through the engine from two
 * systems that both change the client's shared phone (so a conflict opens), a rate is an ops edit,
 * a push is parked after a vendor refusal, and two runs have reports. Two ops users can sign in: an
 * ops admin and a viewer.
 */
export async function seedConsoleWorld(store: SqliteStore): Promise<ConsoleWorld> {
  const policy = standardPolicy();
  const engine = newEngine(store, policy);
  await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ phone: '555-0100' }), { at: minute(1) })] });
  const payrollClient = (phone: string) => ({ name: 'Harbor Freight Lines', status: 'active', phone, website: null, billingFrequency: 'weekly', city: 'Dayton' });
  await engine.apply({ system: 'payroll', entity: 'client', records: [rec('p1', payrollClient('555-0100'), { at: minute(2), match: { links: [{ system: 'ats', externalId: 'c1' }] } })] });
  await engine.apply({ system: 'payroll', entity: 'client', records: [rec('p1', payrollClient('555-0200'), { at: minute(3) })] });
  await engine.apply({ system: 'ats', entity: 'client', records: [rec('c1', clientValues({ phone: '555-0300' }), { at: minute(4) })] });
  const clientId = (await store.repos.links.get('ats', 'client', 'c1'))?.canonicalId;
  if (!clientId) throw new Error('set-up created no client');
  const [conflict] = await store.repos.conflicts.openFor('client', clientId);
  if (!conflict) throw new Error('set-up opened no conflict');

  await engine.apply({
    system: 'ats', entity: 'candidate',
    records: [rec('k1', candidateValues({ firstName: SCRIPT_NAME, lastName: ATTRIBUTE_BREAKER, email: null }), { at: minute(5) })],
  });
  const candidateId = (await store.repos.links.get('ats', 'candidate', 'k1'))?.canonicalId;
  if (!candidateId) throw new Error('set-up created no candidate');
  await engine.apply({
    system: 'ats', entity: 'assignment',
    records: [rec('a1', {
      candidateId: ref('ats', 'k1'), requisitionId: null, worksiteId: null, approverContactId: null, title: 'Forklift operator',
      startDate: '2026-02-02', endDate: null, status: 'active',
    }, { at: minute(6) })],
  });
  const assignmentId = (await store.repos.links.get('ats', 'assignment', 'a1'))?.canonicalId;
  if (!assignmentId) throw new Error('set-up created no assignment');
  const rateId = await store.unitOfWork(async (tx) => (await applyLocalChange(tx, policy, {
    entity: 'assignment_rate', actor: 'ops:seed',
    changes: { assignmentId, effectiveFrom: '2026-02-02', payRateCents: 2500, billRateCents: 3900, otPayRateCents: null, otBillRateCents: null, dtPayRateCents: null, dtBillRateCents: null },
  }, minute(7))).canonicalId);

  // The candidate's push to payroll fails for good: parked for ops.
  const parkedId = await store.unitOfWork(async (tx) => {
    const [pending] = await tx.outbox.list({ system: 'payroll', entity: 'candidate', canonicalId: candidateId, status: 'pending', limit: 1 });
    if (!pending) throw new Error('set-up queued no candidate push');
    await tx.outbox.claim(pending.id, minute(8));
    await tx.outbox.markAttemptFailed(pending.id, PARKED_ERROR, true, null, minute(8));
    return pending.id;
  });

  const { reconcileRunId, pullRunId } = await store.unitOfWork(async (tx) => {
    const reconcile = await tx.runs.start('reconcile', 'payroll', 'employee', minute(9));
    await tx.runs.progress(reconcile.id, null, { seen: 3, staged: 3, orphans: 1 });
    await tx.runs.finish(reconcile.id, 'partial', {
      kind: 'reconcile', system: 'payroll', entity: 'employee', runId: reconcile.id, status: 'partial',
      counts: { seen: 3, staged: 3, matched: 2, added: 1, orphans: 1 },
      requests: { used: 4, allowed: 600, limit: { max: 10, duration: 1000 } },
      durationMs: 2500,
      tombstones: { skipped: true, reasons: ['candidate: the listing returned 3 of 40 live links'] },
      entities: { candidate: { staged: 3, alive: 3, links: 40, tombstone: false, reason: 'the listing returned 3 of 40 live links' } },
      orphans: {
        payroll_employee_without_assignment: { count: 0, items: [] },
        assignment_without_payroll_worker: { count: 1, items: [{ canonicalId: assignmentId, externalId: null }] },
      },
      error: null,
    }, null, minute(10));
    const pull = await tx.runs.start('pull', 'ats', 'candidate', minute(11));
    await tx.runs.finish(pull.id, 'succeeded', { note: SCRIPT_NAME, pages: 2 }, null, minute(12));
    return { reconcileRunId: reconcile.id, pullRunId: pull.id };
  });

  const opsUserId = await createOpsUser(store, USER, 'ops_admin', PASSWORD);
  const viewerId = await createOpsUser(store, VIEWER, 'viewer', VIEWER_PASSWORD);

  return { policy, clientId, conflictId: conflict.id, candidateId, assignmentId, rateId, parkedId, reconcileRunId, pullRunId, opsUserId, viewerId };
}
