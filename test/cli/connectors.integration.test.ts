import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleDataset } from '../../fixtures/dataset/index.ts';
import { startAdpEmulator, type RunningAdpEmulator } from '../../fixtures/adp/index.ts';
import { tempDir } from '../support/temp-store.ts';

/**
 * `crosswalk connectors check-credentials|setup-webhooks <system>` in a child process, against the
 * ADP emulator over mutual TLS: good credentials pass, a wrong secret fails with exit 1 and no
 * secret in the output, and a connector without webhooks says how it reports changes instead.
 */
const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/crosswalk.js');
let emulator: RunningAdpEmulator;
let temp: ReturnType<typeof tempDir>;
let config: string;

beforeAll(async () => {
  emulator = await startAdpEmulator({ dataset: sampleDataset() });
  temp = tempDir();
  config = join(temp.dir, 'crosswalk.config.yaml');
  writeFileSync(config, [
    `database: ${JSON.stringify(join(temp.dir, 'crosswalk.sqlite'))}`,
    `mappings: ${JSON.stringify(join(import.meta.dirname, '../../mappings'))}`,
    'systems:',
    `  - { id: adp, connector: adp, kind: payroll, baseUrl: ${JSON.stringify(emulator.baseUrl)} }`,
    '',
  ].join('\n'));
});
afterAll(async () => {
  await emulator.close();
  temp.dispose();
});

async function cli(args: string[], secret = emulator.credentials['clientSecret'] ?? ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const c = emulator.credentials;
  const env = {
    ...process.env, LOG_LEVEL: 'silent', CROSSWALK_CONFIG: config,
    CROSSWALK_ADP_CLIENT_ID: c['clientId'], CROSSWALK_ADP_CLIENT_SECRET: secret, CROSSWALK_ADP_CERTIFICATE: c['certificate'],
    CROSSWALK_ADP_PRIVATE_KEY: c['privateKey'], CROSSWALK_ADP_CA_CERTIFICATE: c['caCertificate'], CROSSWALK_ADP_TOKEN_URL: c['tokenUrl'],
  };
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    // execFile's error carries the exit code and both streams.
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('crosswalk connectors', () => {
  it('check-credentials: works with the right ones, exit 1 and the reason (never the secret) with a wrong one', async () => {
    const good = await cli(['connectors', 'check-credentials', 'adp']);
    expect(good).toMatchObject({ code: 0 });
    expect(good.stdout).toMatch(/adp: credentials work \(read 1 workers record/);
    const bad = await cli(['connectors', 'check-credentials', 'adp', '--json'], 'not-the-secret');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ system: 'adp', ok: false, kind: 'config' });
    expect(bad.stdout + bad.stderr).not.toContain('not-the-secret');
  });

  it('setup-webhooks on a connector that polls its events says so (usage, exit 2)', async () => {
    const result = await cli(['connectors', 'setup-webhooks', 'adp']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ADP Workforce Now \(adp\) has no webhook subscription to set up: it reports changes by queue/);
  });
});
