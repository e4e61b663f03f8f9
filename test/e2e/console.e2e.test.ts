import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerHandle } from '../../src/http/server.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { ATTRIBUTE_BREAKER, consoleApp, PARKED_ERROR, PASSWORD, SCRIPT_NAME, seedConsoleWorld, USER, type ConsoleWorld } from './support/console.ts';

/** Debian's chromium: CI installs it; a machine without it must say so, not skip. */
const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

let t: TempStore;
let w: ConsoleWorld;
let hub: ServerHandle;
let attacker: Server;
let attackerUrl: string;
let browser: Browser;
let ops: BrowserContext;
let page: Page;
/** Every alert/confirm/prompt any console page raised: vendor markup that ran would land here. */
const dialogs: string[] = [];

/** A page on another origin (another port) with a form that posts to the console: the CSRF attempt. */
function startAttacker(target: string): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>prize</title><form method="post" action="${target}"><input type="hidden" name="choice" value="current"><button>claim your prize</button></form>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` })));
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium). This browser test is never skipped.`);
  }
  t = openTempStore();
  w = await seedConsoleWorld(t.store);
  hub = await startServer(consoleApp(t.store, w.policy), { host: '127.0.0.1', port: 0 });
  ({ server: attacker, url: attackerUrl } = await startAttacker(`${hub.url}/console/conflicts/${w.conflictId}/resolve`));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  ops = await browser.newContext();
  page = await ops.newPage();
  // Fail in seconds, not Playwright's 30 s, when a page is not what the test expects.
  page.setDefaultTimeout(10_000);
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
});

afterAll(async () => {
  await browser?.close();
  await hub?.close();
  await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
  t?.dispose();
});

const phone = async () => (await t.store.repos.canonical.get('client', w.clientId))?.fields['phone'];

// The tests share one browser and one store and run in file order: the CSRF attempt needs the
// conflict still open, the resolution then closes it.
describe('the ops console in a real browser', () => {
  it('sends a browser without a session to the sign-in form, refuses a wrong password, and signs in through the form', async () => {
    const anonymous = await fetch(`${hub.url}/console/conflicts`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/console/login');

    await page.goto(`${hub.url}/console/conflicts`);
    await page.waitForURL('**/console/login');
    expect(await page.locator('tr[data-conflict]').count()).toBe(0);
    await page.getByRole('textbox', { name: 'e-mail address' }).fill(USER);
    await page.getByLabel('password').fill('a wrong password');
    const refused = page.waitForResponse((r) => r.url().endsWith('/console/login') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect((await refused).status()).toBe(401);
    await page.locator('.banner.refused').waitFor();
    expect(await page.locator('main').textContent()).toContain('Sign-in failed');
    expect(await page.getByRole('textbox', { name: 'e-mail address' }).inputValue()).toBe(USER);

    await page.getByLabel('password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${hub.url}/console`);
    expect(await page.locator('header').textContent()).toContain(`signed in as ${USER}`);
    const [cookie] = await ops.cookies();
    expect(cookie).toMatchObject({ name: 'cw_session', httpOnly: true, sameSite: 'Lax', secure: false });
  });

  it('refuses a form on another origin that posts to the console with the user\'s session cookie', async () => {
    await page.goto(attackerUrl);
    const refused = page.waitForResponse((r) => r.url().endsWith('/resolve') && r.status() !== 401);
    await page.getByRole('button', { name: 'claim your prize' }).click();
    expect((await refused).status()).toBe(403);
    await page.getByRole('heading', { name: 'Cross-origin request refused' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('nothing was changed');
    expect((await t.store.repos.conflicts.get(w.conflictId))?.status).toBe('open');
    expect(await phone()).toBe('555-0200');
  });

  it('resolves a conflict by clicking "take incoming", and the ledger shows who did it', async () => {
    await page.goto(`${hub.url}/console/conflicts`);
    const row = page.locator(`tr[data-conflict="${w.conflictId}"]`);
    expect(await row.locator('td').nth(6).textContent()).toContain('"555-0300"');
    await row.getByRole('textbox', { name: 'reason' }).fill('the ATS has the new number');
    await row.getByRole('button', { name: 'take incoming' }).click();

    const banner = page.locator('.banner.ok');
    await banner.waitFor();
    expect(await banner.textContent()).toContain(`Resolved conflict ${w.conflictId} on client.phone`);
    expect(await page.locator(`tr[data-conflict="${w.conflictId}"]`).count()).toBe(0);

    expect(await phone()).toBe('555-0300');
    const resolutions = (await t.store.repos.ledger.query({ canonicalId: w.clientId, limit: 100 })).filter((e) => e.action === 'resolve');
    expect(resolutions).toEqual([expect.objectContaining({ actor: `user:${w.opsUserId}`, outcome: 'applied', diff: [{ field: 'phone', from: '555-0200', to: '555-0300', result: 'applied' }] })]);
    const seq = resolutions[0]?.seq ?? -1;

    await page.getByRole('link', { name: 'Ledger' }).click();
    await page.waitForURL('**/console/ledger');
    const entry = page.locator(`tr[data-seq="${seq}"]`);
    const text = (await entry.textContent()) ?? '';
    expect(text).toContain('resolve');
    expect(text).toContain(`user:${w.opsUserId}`);
    expect(text).toContain('phone: "555-0200" → "555-0300" (applied)');
    expect(text).toContain('the ATS has the new number');
  });

  it('replays a parked push by clicking "replay"', async () => {
    await page.goto(`${hub.url}/console`);
    await page.getByRole('link', { name: /parked push/ }).click();
    const row = page.locator(`tr[data-outbox="${w.parkedId}"]`);
    expect(await row.textContent()).toContain(PARKED_ERROR);
    await row.getByRole('button', { name: 'replay' }).click();
    await page.locator('.banner.ok').waitFor();
    expect(await page.locator('.banner.ok').textContent()).toContain('Push replayed');
    expect(await t.store.repos.outbox.get(w.parkedId)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('shows a candidate named <script>alert(1)</script> as text, and nothing runs', async () => {
    await page.goto(`${hub.url}/console/records/candidate/${w.candidateId}`);
    expect(await page.locator('h1').textContent()).toBe(`candidate: ${SCRIPT_NAME} ${ATTRIBUTE_BREAKER}`);
    expect(await page.locator('table.fields tr', { hasText: 'firstName' }).locator('td').first().textContent()).toBe(JSON.stringify(SCRIPT_NAME));
    expect(await page.locator('main script, main img').count()).toBe(0);
    await page.goto(`${hub.url}/console/ledger?entity=candidate`);
    expect(await page.locator('table.ledger').textContent()).toContain(`firstName: null → ${JSON.stringify(SCRIPT_NAME)} (applied)`);
    expect(await page.locator('main script, main img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });
});
