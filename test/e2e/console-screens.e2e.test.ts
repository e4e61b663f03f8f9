import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.ts';
import { startServer, type ServerHandle } from '../../src/http/server.ts';
import { loadMappings } from '../../src/mapping/index.ts';
import { openTempStore, type TempStore } from '../support/temp-store.ts';
import { consoleApp, NOW, PASSWORD, seedConsoleWorld, USER, VIEWER, VIEWER_PASSWORD, type ConsoleWorld } from './support/console.ts';
import { CONTACT_EMAIL, PLACEMENT_ID, seedScreens, type ScreensWorld } from './support/console-screens.ts';

const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
/** Screenshots of each screen: a test artifact, git-ignored, never committed. */
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'console');
const MAPPINGS_DIR = join(process.cwd(), 'mappings');
/** Two worksites of a client nobody knows: the dry run reports both rows as errors, by line. */
const WORKSITES_CSV = 'Worksite ID,Client ID,Worksite,Status,Address,City,State,ZIP,Time Zone\r\nws-1,cl-unknown,North dock,active,1 Pier Rd,Dayton,OH,45402,America/New_York\r\nws-2,cl-unknown,South dock,active,2 Pier Rd,Dayton,OH,45402,America/New_York\r\n';

let t: TempStore;
let w: ConsoleWorld;
let s: ScreensWorld;
let hub: ServerHandle;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const axeFindings: string[] = [];

async function signIn(p: Page, email: string, password: string): Promise<void> {
  await p.goto(`${hub.url}/console/login`);
  await p.getByRole('textbox', { name: 'e-mail address' }).fill(email);
  await p.getByLabel('password').fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.waitForURL(`${hub.url}/console`);
}

/** Axe on the page as it stands (serious and critical violations are collected), and a screenshot. */
async function check(name: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  for (const v of result.violations) {
    if (v.impact === 'serious' || v.impact === 'critical') axeFindings.push(`${name}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
  }
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package. This browser test is never skipped.`);
  mkdirSync(ARTIFACTS, { recursive: true });
  t = openTempStore();
  w = await seedConsoleWorld(t.store);
  s = await seedScreens(t.store, w);
  const systems = [{ id: 'bullhorn', connector: 'bullhorn' }];
  const { registry } = loadMappings(MAPPINGS_DIR, systems);
  const imports = { engine: new Engine(t.store, { policy: registry, now: () => NOW }), mappings: registry, tempDir: t.dir };
  hub = await startServer(consoleApp(t.store, w.policy, { imports, mappings: { dir: MAPPINGS_DIR, systems, registry } }), { host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(10_000);
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${page.url()}: ${m.text()}`); });
  page.on('pageerror', (e) => consoleErrors.push(`${page.url()}: ${e.message}`));
  await signIn(page, USER, PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await hub?.close();
  t?.dispose();
});

describe('every console screen in a real browser, as an ops admin', () => {
  it('finds a Bullhorn placement by its vendor id with the / shortcut and lands on its assignment', async () => {
    await page.goto(`${hub.url}/console`);
    await check('health');
    await page.keyboard.press('/');
    expect(await page.locator('#find:focus').count()).toBe(1);
    await page.keyboard.type(PLACEMENT_ID);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/console/records/assignment/${w.assignmentId}`);
    expect(await page.locator('h1').textContent()).toBe('assignment: Forklift operator');
    expect(await page.locator('main').textContent()).toContain(PLACEMENT_ID);
    await check('record-assignment');
  });

  it('lists several hits for a name, and finds a contact by e-mail', async () => {
    await page.goto(`${hub.url}/console/search?q=Twin`);
    expect(await page.locator('main table tbody tr').count()).toBe(2);
    await check('search');
    await page.goto(`${hub.url}/console/search?q=${encodeURIComponent(CONTACT_EMAIL)}`);
    await page.waitForURL(`**/console/records/contact/${s.contactId}`);
  });

  it('shows provenance on the record page: which system or person set each field, linking to the ledger', async () => {
    await page.goto(`${hub.url}/console/records/client/${w.clientId}`);
    const phoneRow = page.locator('table.fields tr', { hasText: 'phone' }).first();
    expect(await phoneRow.locator('td').nth(1).textContent()).toMatch(/payroll at .*#\d+/);
    await check('record-client');
    await page.goto(`${hub.url}/console/records/assignment_rate/${w.rateId}`);
    expect(await page.locator('table.fields tr', { hasText: 'payRateCents' }).locator('td').first().textContent()).toContain('2500');
    expect(await page.locator('dl.contact-view').textContent()).not.toContain('payRateCents');
  });

  it('resolves conflicts by filter after a count preview and a confirmation', async () => {
    await page.goto(`${hub.url}/console/conflicts?entity=client`);
    await check('conflicts');
    await page.getByRole('link', { name: /Resolve every conflict matching this filter/ }).click();
    expect(await page.locator('[data-count]').getAttribute('data-count')).toBe('1');
    await check('conflicts-bulk');
    await page.getByRole('textbox', { name: /Reason/ }).fill('the ATS is right');
    await page.getByRole('button', { name: 'Confirm: take incoming on all 1' }).click();
    await page.locator('.banner.ok').waitFor();
    expect(await page.locator('.banner.ok').textContent()).toContain('1 of 1 conflicts resolved');
    expect((await t.store.repos.conflicts.get(w.conflictId))?.resolvedBy).toBe(`user:${w.opsUserId}`);
    const [audit] = await t.store.repos.audit.list({ action: 'console.conflict.resolve', limit: 1 });
    expect(audit).toMatchObject({ actorId: w.opsUserId, targetId: w.conflictId });
  });

  it('filters the ledger by actor and shows it newest first', async () => {
    await page.goto(`${hub.url}/console/ledger?actor=${encodeURIComponent(`user:${w.opsUserId}`)}`);
    const rows = page.locator('table.ledger tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('resolve');
    await check('ledger');
  });

  it('replays a parked push and a failed webhook delivery', async () => {
    await page.goto(`${hub.url}/console/outbox`);
    await check('outbox');
    await page.locator(`tr[data-outbox="${w.parkedId}"]`).getByRole('button', { name: /replay/ }).click();
    await page.locator('.banner.ok').waitFor();
    expect(await t.store.repos.outbox.get(w.parkedId)).toMatchObject({ status: 'pending' });
    const [replayed] = await t.store.repos.ledger.query({ actor: `user:${w.opsUserId}`, newestFirst: true, limit: 1 });
    expect(replayed).toMatchObject({ action: 'replay', canonicalId: w.candidateId, system: 'payroll' });
    await page.goto(`${hub.url}/console/inbox`);
    await check('inbox');
    await page.locator(`tr[data-inbox="${s.failedInboxId}"]`).getByRole('button', { name: /replay/ }).click();
    await page.locator('.banner.ok').waitFor();
    expect(await t.store.repos.inbox.get(s.failedInboxId)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('lists exceptions (identity review, held record) and links an identity', async () => {
    await page.goto(`${hub.url}/console/exceptions`);
    expect(await page.locator('table[data-kind="held_records"] tbody tr').count()).toBeGreaterThan(0);
    await check('exceptions');
    await page.locator(`tr[data-exception="${s.reviewId}"]`).getByRole('button', { name: /^link/ }).click();
    await page.locator('.banner.ok').waitFor();
    expect((await t.store.repos.identity.get(s.reviewId))?.status).toBe('linked');
  });

  it('shows runs with their reports', async () => {
    await page.goto(`${hub.url}/console/runs`);
    await check('runs');
    await page.goto(`${hub.url}/console/runs/${w.reconcileRunId}`);
    await check('run-reconcile');
  });

  it('revokes an API key and views the portal as a contact, both audited', async () => {
    await page.goto(`${hub.url}/console/access`);
    await check('access');
    await page.locator(`tr[data-key="${s.keyId}"]`).getByRole('button', { name: /revoke/ }).click();
    await page.locator('.banner.ok').waitFor();
    expect((await t.store.repos.access.keyById(s.keyId))?.revokedAt).not.toBeNull();

    await page.getByRole('textbox', { name: 'contact id' }).fill(s.contactId);
    await page.getByRole('button', { name: 'View as this contact' }).click();
    await page.locator('.viewas').waitFor();
    expect(await page.locator('.viewas').textContent()).toContain('Viewing as Pat Quarry');
    expect(await page.locator('main').textContent()).toContain(CONTACT_EMAIL);
    await check('view-as');
    const minted = await t.store.repos.audit.list({ action: 'console.view_as.mint', limit: 5 });
    expect(minted[0]).toMatchObject({ actorId: w.opsUserId, targetId: s.contactId });
    const underToken = await t.store.repos.audit.list({ actorType: 'contact', actorId: s.contactId, limit: 20 });
    expect(underToken.some((e) => e.action.startsWith('view_as.') && e.onBehalfOf === w.opsUserId)).toBe(true);
  });

  it('uploads a CSV through the dry run, showing the rows with errors by line, then commits', async () => {
    await page.goto(`${hub.url}/console/imports`);
    await check('imports');
    await page.getByLabel('kind').selectOption('worksites');
    await page.getByLabel('CSV file').setInputFiles({ name: 'worksites.csv', mimeType: 'text/csv', buffer: Buffer.from(WORKSITES_CSV) });
    await page.getByRole('button', { name: /Upload and preview/ }).click();
    await page.locator('table.import-report').waitFor();
    expect(await page.locator('table.import-report').textContent()).toContain('2 with errors');
    expect(await page.locator('table.import-errors tbody tr').first().locator('td').first().textContent()).toBe('2');
    expect(await t.store.repos.canonical.count('worksite')).toBe(0);
    await check('imports-preview');
    await page.getByRole('button', { name: 'Commit the import' }).click();
    await page.locator('table.import-report').waitFor();
    expect(await page.locator('h1').textContent()).toBe('Import committed');
  });

  it('shows each mapping file\'s check result and previews a live record both ways', async () => {
    await page.goto(`${hub.url}/console/mappings`);
    expect(await page.locator('table.mapping-files tbody tr').count()).toBeGreaterThan(5);
    await check('mappings');
    await page.goto(`${hub.url}/console/mappings?system=bullhorn&entity=assignment`);
    expect(await page.locator('main h3').allTextContents()).toEqual([expect.stringMatching(/^Out: canonical → bullhorn/), expect.stringMatching(/^Back in: bullhorn/)]);
    expect(await page.locator('main pre').textContent()).toContain(`"id": "${PLACEMENT_ID}"`);
    expect(await page.locator('main table').last().locator('tbody tr').count()).toBeGreaterThan(0);
    await check('mappings-preview');
  });

  it('fits a narrow screen: no page scrolls sideways, wide tables scroll inside their box', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    for (const path of ['/console', '/console/ledger', `/console/records/client/${w.clientId}`, '/console/access']) {
      await page.goto(`${hub.url}${path}`);
      expect(await page.evaluate('document.documentElement.scrollWidth'), path).toBeLessThanOrEqual(375);
    }
    await check('narrow-access');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('raised no serious or critical accessibility violation and no console error on any screen', () => {
    expect(axeFindings).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

describe('a viewer', () => {
  it('sees every screen without a single action form, and a POST is refused 403', async () => {
    const viewer = await (await browser.newContext()).newPage();
    await signIn(viewer, VIEWER, VIEWER_PASSWORD);
    for (const path of ['/console/conflicts', '/console/outbox', '/console/inbox', '/console/exceptions', '/console/access']) {
      await viewer.goto(`${hub.url}${path}`);
      expect(await viewer.locator('main form[method="post"]').count(), path).toBe(0);
    }
    await viewer.goto(`${hub.url}/console/records/assignment_rate/${w.rateId}`);
    expect(await viewer.locator('main').textContent()).not.toContain('2500');
    const status = await viewer.evaluate(async (url) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' })).status, `${hub.url}/console/access/keys/${s.keyId}/revoke`);
    expect(status).toBe(403);
    await viewer.close();
  });
});
