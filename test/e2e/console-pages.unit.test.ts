import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type CrosswalkApp } from '../../src/http/app.ts';
import { mountConsole } from '../../src/http/console/index.ts';
import { FORM_BODY_LIMIT } from '../../src/http/console/input.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { AUTH, captureLog, consoleApp, NOW, seedConsoleWorld, type CapturedLog, type ConsoleWorld } from './support/console.ts';

let t: TempStore;
let w: ConsoleWorld;
let app: CrosswalkApp;
let log: CapturedLog;
beforeEach(async () => {
  t = openTempStore();
  w = await seedConsoleWorld(t.store);
  log = captureLog();
  app = consoleApp(t.store, w.policy, {}, log);
});
afterEach(() => {
  // No test here may reach the unexpected-error path: bad input is a 4xx.
  expect(log.errors).toEqual([]);
  t.dispose();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };
const get = (path: string) => app.request(path, { headers: AUTH });
const post = (path: string, body: string | URLSearchParams, headers: Record<string, string> = {}) =>
  app.request(path, { method: 'POST', headers: { ...AUTH, ...FORM, ...headers }, body: body.toString() });
const phone = async () => (await t.store.repos.canonical.get('client', w.clientId))?.fields['phone'];
const conflict = async () => t.store.repos.conflicts.get(w.conflictId);

describe('console reads', () => {
  it('shows the overview: counts, open conflicts, parked pushes and each system\'s last runs', async () => {
    const r = await get('/console');
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toMatch(/<strong>1<\/strong> open conflict</);
    expect(text).toMatch(/<strong>1<\/strong> parked push</);
    expect(text).toContain(`href="/console/runs/${w.reconcileRunId}"`);
    expect(text).toMatch(/<th>payroll<\/th>|>payroll<\/a><\/th>/);
    expect(text).toMatch(/<th>candidate<\/th><td class="num">1<\/td>/);
  });

  it('names the systems from recent runs when none are configured', async () => {
    const unconfigured = createApp({
      store: t.store, policy: w.policy, adminToken: null, systems: [], log,
      mount: (hub) => mountConsole(hub, { store: t.store, policy: w.policy, log }),
    });
    const text = await (await unconfigured.request('/console', { headers: AUTH })).text();
    expect(text).toContain('href="/console/runs?system=ats"');
    expect(text).toContain('href="/console/runs?system=payroll"');
  });

  it('sends /console/ and friends to the page without the slash, keeping the query', async () => {
    const root = await get('/console/');
    expect(root.status).toBe(301);
    expect(root.headers.get('location')).toBe('/console');
    const ledger = await get('/console/ledger/?entity=client');
    expect(ledger.headers.get('location')).toBe('/console/ledger?entity=client');
  });

  it('lists open conflicts with base, current and incoming, filtered by entity, system and field', async () => {
    const all = await (await get('/console/conflicts')).text();
    expect(all).toContain(`data-conflict="${w.conflictId}"`);
    for (const v of ['555-0100', '555-0200', '555-0300']) expect(all).toContain(`&quot;${v}&quot;`);
    expect(await (await get('/console/conflicts?entity=candidate')).text()).not.toContain('data-conflict=');
    expect(await (await get('/console/conflicts?system=ats&field=phone')).text()).toContain(`data-conflict="${w.conflictId}"`);
    expect(await (await get('/console/conflicts?field=name')).text()).toContain('No open conflicts match the filter');
  });

  it('pages the ledger newest first by sequence number and filters it', async () => {
    const total = await t.store.repos.ledger.count();
    const first = await (await get('/console/ledger?limit=2')).text();
    const seqs = [...first.matchAll(/data-seq="(\d+)"/g)].map((m) => Number(m[1]));
    expect(seqs).toEqual([total, total - 1]);
    expect(first).toContain(`href="/console/ledger?before=${total - 1}&amp;limit=2"`);
    const second = await (await get(`/console/ledger?limit=2&before=${total - 1}`)).text();
    expect([...second.matchAll(/data-seq="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([total - 2, total - 3]);
    const conflicts = await (await get('/console/ledger?outcome=conflict')).text();
    expect(conflicts).toMatch(/phone: <code>&quot;555-0200&quot;<\/code> → <code>&quot;555-0300&quot;<\/code> \(<span class="tag conflict">conflict<\/span>\)/);
    expect(conflicts).not.toContain('tag applied');
  });

  it('hides pay rates in the ledger list and shows them, labelled internal, on the record page', async () => {
    const ledger = await (await get('/console/ledger?entity=assignment_rate')).text();
    expect(ledger).toContain('payRateCents: <span class="tag internal">pay data hidden</span>');
    expect(ledger).not.toContain('2500');
    expect(ledger).toContain('billRateCents: <span class="null">null</span> → <code>3900</code>');
    const record = await (await get(`/console/records/assignment_rate/${w.rateId}`)).text();
    expect(record).toContain('payRateCents <span class="tag internal">internal</span>');
    expect(record).toContain('<code>2500</code> <span class="muted">($25.00)</span>');
  });

  it('shows a record with its fields, links, open conflicts, pushes and ledger', async () => {
    const r = await get(`/console/records/client/${w.clientId}`);
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toContain('<h1>client: Harbor Freight Lines</h1>');
    expect(text).toMatch(/<td>ats<\/td><td><a href="\/console\/search\?q=c1">c1<\/a><\/td>/);
    expect(text).toMatch(/<td>payroll<\/td><td><a href="\/console\/search\?q=p1">p1<\/a><\/td>/);
    expect(text).toContain(`/console/conflicts?entity=client&amp;canonicalId=${w.clientId}`);
    expect(text).toMatch(/data-seq="\d+"/);
    const assignment = await (await get(`/console/records/assignment/${w.assignmentId}`)).text();
    expect(assignment).toContain(`href="/console/records/candidate/${w.candidateId}"`);
  });

  it('lays out a reconciliation report as tables and any other report as escaped JSON', async () => {
    const reconcile = await (await get(`/console/runs/${w.reconcileRunId}`)).text();
    expect(reconcile).toContain('<h2>Reconciliation report</h2>');
    expect(reconcile).toContain('data-orphans="assignment_without_payroll_worker"');
    expect(reconcile).toContain(`href="/console/records/assignment/${w.assignmentId}"`);
    expect(reconcile).toContain('<strong>4</strong> of <strong>600</strong>');
    expect(reconcile).toContain('the listing returned 3 of 40 live links');
    const pull = await (await get(`/console/runs/${w.pullRunId}`)).text();
    expect(pull).not.toContain('Reconciliation report');
    expect(pull).toContain('&quot;note&quot;: &quot;&lt;script&gt;');
    const list = await (await get('/console/runs?kind=reconcile')).text();
    expect(list).toContain(`data-run="${w.reconcileRunId}"`);
    expect(list).not.toContain(`data-run="${w.pullRunId}"`);
  });
});

describe('console input validation: a 4xx page with the reason, never a 500', () => {
  const cases: Array<[string, number, string]> = [
    ['/console/ledger?bogus=1', 400, 'query.bogus: not accepted here'],
    ['/console/ledger?before=abc', 400, 'query.before: a ledger sequence number'],
    ['/console/ledger?outcome=maybe', 400, 'query.outcome'],
    ['/console/ledger?limit=0', 400, 'query.limit'],
    ['/console/ledger?system=a&system=b', 400, 'query.system: given more than once'],
    ['/console/conflicts?entity=planet', 400, 'query.entity'],
    [`/console/conflicts?after=${'x'.repeat(65)}`, 400, 'query.after'],
    ['/console/outbox?status=lost', 400, 'query.status'],
    ['/console/runs?kind=dance', 400, 'query.kind'],
    [`/console/runs/${'r'.repeat(65)}`, 400, 'path.id'],
    ['/console/runs/no-such-run', 404, 'Run no-such-run was not found'],
    ['/console/records/planet/x', 404, 'no entity called planet'],
    ['/console/records/client/no-such-id', 404, 'client no-such-id was not found'],
    ['/console/records/client/x?y=1', 400, 'query.y'],
    ['/console?x=1', 400, 'query.x'],
    ['/console/no/such/page', 404, 'no console page'],
  ];
  it.each(cases)('GET %s → %i', async (path, status, message) => {
    const r = await get(path);
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await r.text()).toContain(message);
  });

  it('refuses malformed resolution forms without touching the conflict', async () => {
    const path = `/console/conflicts/${w.conflictId}/resolve`;
    const bad: Array<[string | URLSearchParams, number, string]> = [
      [new URLSearchParams({}), 400, 'choose take incoming, keep current or set value'],
      [new URLSearchParams({ choice: 'mine' }), 400, 'choose take incoming'],
      [new URLSearchParams({ choice: 'incoming', extra: '1' }), 400, 'form.extra: not accepted here'],
      ['choice=incoming&choice=current', 400, 'form.choice: given more than once'],
      [new URLSearchParams({ choice: 'incoming', reason: 'r'.repeat(501) }), 400, 'form.reason'],
    ];
    for (const [body, status, message] of bad) {
      const r = await post(path, body);
      expect(r.status, body.toString()).toBe(status);
      expect(await r.text()).toContain(message);
    }
    const json = await post(path, '{"choice":"incoming"}', { 'content-type': 'application/json' });
    expect(json.status).toBe(415);
    const huge = await post(path, `choice=incoming&reason=${'x'.repeat(FORM_BODY_LIMIT)}`);
    expect(huge.status).toBe(413);
    const badUtf8 = await app.request(path, { method: 'POST', headers: { ...AUTH, ...FORM }, body: new Uint8Array([0x63, 0x3d, 0xff, 0xfe]) });
    expect(badUtf8.status).toBe(400);
    const badId = await post(`/console/conflicts/${'c'.repeat(65)}/resolve`, new URLSearchParams({ choice: 'incoming' }));
    expect(badId.status).toBe(400);
    const bulkEmpty = await post('/console/conflicts/resolve', new URLSearchParams({ choice: 'incoming' }));
    expect(bulkEmpty.status).toBe(400);
    expect(await bulkEmpty.text()).toContain('select at least one conflict');
    expect((await conflict())?.status).toBe('open');
  });
});

describe('console conflict resolution', () => {
  it('takes the incoming value as user:<id> of the signed-in ops user, with the reason, and says so on the page', async () => {
    const r = await post(`/console/conflicts/${w.conflictId}/resolve`, new URLSearchParams({ choice: 'incoming', reason: 'the ATS has the new number', value: 'ignored' }));
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toContain('class="banner ok"');
    expect(text).toContain(`Resolved conflict ${w.conflictId} on client.phone`);
    expect(text).toContain('the value is now &quot;555-0300&quot;');
    expect(text).not.toContain(`data-conflict="${w.conflictId}"`);
    expect(await phone()).toBe('555-0300');
    expect(await conflict()).toMatchObject({ status: 'resolved', resolution: 'incoming', resolvedBy: `user:${w.opsUserId}`, resolutionReason: 'the ATS has the new number', resolvedAt: NOW });
    const [entry] = (await t.store.repos.ledger.query({ canonicalId: w.clientId, limit: 100 })).filter((e) => e.action === 'resolve');
    expect(entry).toMatchObject({ actor: `user:${w.opsUserId}`, outcome: 'applied', diff: [{ field: 'phone', from: '555-0200', to: '555-0300', result: 'applied' }] });
  });

  it('keeps the current value', async () => {
    const r = await post(`/console/conflicts/${w.conflictId}/resolve`, new URLSearchParams({ choice: 'current' }));
    expect(r.status).toBe(200);
    expect(await phone()).toBe('555-0200');
    expect((await conflict())?.resolution).toBe('current');
  });

  it('sets a typed value, trimmed', async () => {
    const r = await post(`/console/conflicts/${w.conflictId}/resolve`, new URLSearchParams({ choice: 'value', value: '  555-0400 ' }));
    expect(r.status).toBe(200);
    expect(await phone()).toBe('555-0400');
    expect((await conflict())?.resolvedValue).toBe('555-0400');
  });

  it('clears the field when "set value" is chosen with the box left blank', async () => {
    const r = await post(`/console/conflicts/${w.conflictId}/resolve`, new URLSearchParams({ choice: 'value', value: '   ' }));
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('the value is now null');
    expect(await phone()).toBeNull();
    expect(await conflict()).toMatchObject({ resolution: 'value', resolvedValue: null });
  });

  it('shows the engine\'s refusal on the page with its status and changes nothing', async () => {
    const tooLong = await post(`/console/conflicts/${w.conflictId}/resolve`, new URLSearchParams({ choice: 'value', value: '5'.repeat(41) }));
    expect(tooLong.status).toBe(422);
    const text = await tooLong.text();
    expect(text).toContain('class="banner refused"');
    expect(text).toContain('not resolved: phone');
    expect(await phone()).toBe('555-0200');
    expect((await conflict())?.status).toBe('open');

    await post(`/console/conflicts/${w.conflictId}/resolve`, new URLSearchParams({ choice: 'incoming' }));
    const again = await post(`/console/conflicts/${w.conflictId}/resolve`, new URLSearchParams({ choice: 'current' }));
    expect(again.status).toBe(409);
    expect(await again.text()).toContain(`already resolved by user:${w.opsUserId}`);
    expect(await phone()).toBe('555-0300');

    const missing = await post('/console/conflicts/no-such-conflict/resolve', new URLSearchParams({ choice: 'current' }));
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Conflict no-such-conflict was not found');
  });

  it('resolves the selected conflicts with one choice, reporting each, and keeps the filter', async () => {
    const body = new URLSearchParams([['ids', w.conflictId], ['ids', 'no-such-conflict'], ['ids', w.conflictId], ['choice', 'current'], ['reason', 'bulk']]);
    const r = await post('/console/conflicts/resolve?entity=client', body);
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toContain('1 of 2 conflicts resolved');
    expect(text).toContain('Conflict no-such-conflict was not found');
    expect(text).toContain('<option value="client" selected>');
    expect(await conflict()).toMatchObject({ status: 'resolved', resolution: 'current', resolvedBy: `user:${w.opsUserId}`, resolutionReason: 'bulk' });
  });
});

describe('console outbox replay', () => {
  it('lists parked pushes with their error and replays one back to pending', async () => {
    const list = await (await get('/console/outbox')).text();
    expect(list).toContain(`data-outbox="${w.parkedId}"`);
    expect(list).toContain('payroll answered 422');
    const r = await post(`/console/outbox/${w.parkedId}/replay`, '');
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toContain('Push replayed');
    expect(text).not.toContain(`data-outbox="${w.parkedId}"`);
    expect(await t.store.repos.outbox.get(w.parkedId)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('refuses to replay a row that is not parked, and one that does not exist', async () => {
    await post(`/console/outbox/${w.parkedId}/replay`, '');
    const again = await post(`/console/outbox/${w.parkedId}/replay`, '');
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('only parked (failed) rows are replayed');
    const bulk = await post('/console/outbox/replay', new URLSearchParams([['ids', 'nope'], ['ids', w.parkedId]]));
    expect(bulk.status).toBe(200);
    expect(await bulk.text()).toContain('0 of 2 pushes replayed');
    const withBody = await post(`/console/outbox/${w.parkedId}/replay`, 'x=1');
    expect(withBody.status).toBe(400);
  });
});
