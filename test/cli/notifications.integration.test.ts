import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowIso } from '../../src/lib/time.ts';
import { SpoolMailer } from '../../src/access/mail/mailer.ts';
import { createSubscription, NotificationRelay } from '../../src/notify/index.ts';
import { SqliteStore } from '../../src/store/index.ts';
import { TEST_KEYRING } from '../support/temp-store.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/crosswalk.js');

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, LOG_LEVEL: 'silent' }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('crosswalk notifications', () => {
  let dir: string;
  let env: Record<string, string>;
  let path: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'crosswalk-cli-notify-'));
    writeFileSync(join(dir, 'crosswalk.config.yaml'), 'database: ./hub.sqlite\nmappings: ./mappings\n');
    env = { CROSSWALK_CONFIG: join(dir, 'crosswalk.config.yaml'), CROSSWALK_SECRET_KEY: TEST_KEYRING.serialize() };
    path = join(dir, 'hub.sqlite');
    const store = SqliteStore.open(path, { keyring: TEST_KEYRING });
    // A subscriber nobody listens on: its delivery fails.
    await store.unitOfWork((tx) => createSubscription(tx, { url: 'http://127.0.0.1:9/hooks', eventTypes: ['sync.issue'], clientId: null, description: 'down' }, 'user:test', nowIso()));
    await store.unitOfWork((tx) => tx.events.append({ type: 'sync.issue', entity: 'run', canonicalId: 'run-1', clientId: null, worksiteId: null, actor: 'system:test', data: { summary: 'pull failed' }, at: nowIso() }));
    store.close();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('list shows the delivery record and replay --dead queues dead letters again', async () => {
    // (One sweep in-process: each CLI start costs seconds; `notifications send` is the same sweep.)
    const store = SqliteStore.open(path, { keyring: TEST_KEYRING });
    const relay = new NotificationRelay({ store, mailer: new SpoolMailer(join(dir, 'mail'), 'x@example.test'), publicUrl: null, maxAttempts: { email: 1, webhook: 1 } });
    expect(await relay.sweep()).toMatchObject({ fanOut: { events: 1, deliveries: 1 }, delivered: { dead: 1 } });
    store.close();

    const dead = await cli(['notifications', 'list', '--status', 'dead', '--json'], env);
    expect(dead.code, dead.stderr).toBe(0);
    const rows = JSON.parse(dead.stdout) as Array<{ id: string; channel: string; status: string; lastError: string }>;
    expect(rows).toEqual([expect.objectContaining({ channel: 'webhook', status: 'dead', lastError: expect.stringMatching(/fetch failed|ECONNREFUSED/) as unknown })]);

    const replay = await cli(['notifications', 'replay', '--dead', '--json'], env);
    expect(JSON.parse(replay.stdout)).toEqual({ replayed: 1, asked: 1 });
    const reopened = SqliteStore.open(path, { keyring: TEST_KEYRING });
    expect(await reopened.repos.notifications.delivery(rows[0]?.id ?? '')).toMatchObject({ status: 'queued', attempts: 0 });
    reopened.close();
  });
});
