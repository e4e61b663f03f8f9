/**
 * `crosswalk demo --exit` as a user runs it, once on the inline queue and once on BullMQ
 * (REDIS_URL, a prefix of its own through CROSSWALK_QUEUE_PREFIX): it must finish, exit 0 and tell
 * the whole loop — both syncs, the refused Gusto edit, the 403 for a non-approver, the approved
 * time exported to payroll, the drift repaired by reconciliation.
 */
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-store.ts';
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from '../queue/support.ts';
import { CLI, ROOT, runToEnd, type Finished } from './support/process.ts';
import { countKeys } from './support/redis.ts';

const PREFIX = uniquePrefix('demo');
const dirs: Array<{ dispose(): void }> = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.dispose();
});
afterAll(async () => {
  await deletePrefix(SHARED_REDIS_URL, PREFIX);
});

// The four-system loop takes about 40 s alone on 2 cores and once ran past 150 s under the whole
// suite (the PostgreSQL suites share the machine): room for that, without letting a hang go unnoticed.
const DEMO_TIMEOUT_MS = 300_000;

/**
 * The demo writes `data/demo` under its working directory and wipes it first: it runs in a temp
 * directory (the repository's own config named by CROSSWALK_CONFIG), never over a developer's demo.
 */
async function demo(extraEnv: Record<string, string>): Promise<Finished> {
  const cwd = tempDir();
  dirs.push(cwd);
  const env: NodeJS.ProcessEnv = { ...process.env, CROSSWALK_CONFIG: join(ROOT, 'crosswalk.config.yaml'), ...extraEnv };
  for (const name of ['REDIS_URL', 'CROSSWALK_QUEUE_PREFIX', 'CROSSWALK_DB', 'PORT', 'LOG_LEVEL']) if (!(name in extraEnv)) delete env[name];
  return runToEnd([CLI, 'demo', '--exit', '--scale', '0.1', '--port', '0'], { cwd: cwd.dir, env, timeoutMs: DEMO_TIMEOUT_MS });
}

function expectTheWholeLoop(run: Finished): void {
  const out = run.stdout;
  expect(run.code, `exit code; stderr:\n${run.stderr}\nstdout:\n${out}`).toBe(0);
  // Step 2: every Bullhorn entity and the Gusto employees synced.
  for (const entity of ['ClientCorporation', 'Location', 'ClientContact', 'JobOrder', 'Candidate', 'JobSubmission', 'Placement', 'PlacementRateCard']) {
    expect(out).toMatch(new RegExp(`bullhorn\\s+${entity}\\s+succeeded\\s+[1-9]`));
  }
  expect(out).toMatch(/gusto\s+employees\s+succeeded\s+[1-9]/);
  expect(out).toMatch(/Pushed to Gusto: [1-9]\d* new employees/);
  // Four systems: ADP (the West entity's workers) and Greenhouse (the second business line) synced;
  // one West worker's approved day read back from ADP's pay data, and no worker-day sent to both payrolls.
  expect(out).toMatch(/adp\s+workers\s+succeeded\s+[1-9]/);
  expect(out).toMatch(/greenhouse\s+candidates\s+succeeded\s+[1-9]/);
  expect(out).toMatch(/read back from ADP's pay data batch: R [\d.]+ h/);
  expect(out).toMatch(/[1-9]\d* to ADP, [1-9]\d* to Gusto, 0 to both/);
  // Step 3: the Gusto edit of a Bullhorn-owned field, refused; replays deduplicated; tampering refused.
  expect(out).toContain('refused: firstName is owned by bullhorn');
  expect(out).toContain('replayed 3× at once → 200, 200, 200 (one inbox row); one byte tampered → 401');
  // Step 4: the same file twice is one import.
  expect(out).toMatch(/the same timesheet file again: already_imported/);
  // Step 5: approval by the approver, refusal of a non-approver, exported to payroll.
  expect(out).toMatch(/approved [\d.]+ h on \d{4}-\d{2}-\d{2} → 200/);
  // The caller is the authenticated contact (its own key), so the refusal speaks to it.
  expect(out).toMatch(/tried the same → 403 \(you are not an approver at worksite \S+\)/);
  expect(out).toContain('time entry is now exported');
  // Step 6: the edit whose event was dropped is repaired.
  expect(out).toMatch(/bullhorn: \d+ records compared, \d+ matched, 1 repaired/);
  expect(out).toMatch(/Done in [\d.]+ s\. Health: ok/);
}

describe('crosswalk demo --exit', () => {
  it('runs the whole loop on the inline queue without Redis', async () => {
    const run = await demo({});
    expectTheWholeLoop(run);
    expect(run.stdout).toContain('queue inline (set REDIS_URL for BullMQ)');
  }, DEMO_TIMEOUT_MS + 10_000);

  it('runs the whole loop on BullMQ with REDIS_URL, under its own queue prefix', async () => {
    const run = await demo({ REDIS_URL: SHARED_REDIS_URL, CROSSWALK_QUEUE_PREFIX: PREFIX });
    expectTheWholeLoop(run);
    expect(run.stdout).toContain('queue BullMQ (REDIS_URL)');
    // The jobs really went through Redis, under the prefix asked for.
    expect(await countKeys(SHARED_REDIS_URL, `${PREFIX}:gusto:*`)).toBeGreaterThan(0);
    expect(await countKeys(SHARED_REDIS_URL, `${PREFIX}:bullhorn:meta`)).toBe(1);
  }, DEMO_TIMEOUT_MS + 10_000);
});
