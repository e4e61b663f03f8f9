import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/access/credentials/passwords.ts';
import { sha256Hex } from '../../src/access/credentials/secret.ts';
import { applyLocalChange, StaticPolicy } from '../../src/engine/index.ts';
import { newId } from '../../src/lib/ids.ts';
import type { EntityName } from '../../src/model/index.ts';
import { SqliteStore, type FieldMap } from '../../src/store/index.ts';
import { tempDir } from '../support/temp-store.ts';

const BIN = join(import.meta.dirname, '../../bin/crosswalk.js');
const NOW = '2026-11-20T08:00:00.000Z';
const PASSWORD = 'staple battery horse correct';
const ACTOR = `cli:${userInfo().username}`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI in a child process with only what it needs in its environment (no
 * CROSSWALK_DB or secret key leaks in from the runner), optionally feeding stdin.
 */
function cli(args: string[], env: Record<string, string>, stdin?: string): Promise<Run> {
  const base = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', LOG_LEVEL: 'silent' };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
    child.stdin.end(stdin ?? '');
  });
}

const json = <T>(r: Run): T => {
  if (r.code !== 0 && r.code !== 1) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T; // the CLI's --json output; each test states the shape it reads
};

interface World {
  clientA: string;
  clientB: string;
  worksiteA: string;
  worksiteB: string;
  contactA: string;
  inactiveContact: string;
  crossRoleId: string;
}

describe('crosswalk keys, users, access and audit', () => {
  const d = tempDir();
  const db = join(d.dir, 'data', 'hub.sqlite');
  const config = join(d.dir, 'crosswalk.config.yaml');
  // CROSSWALK_DB wins over the config's database: every command here must honour it.
  const env = { CROSSWALK_CONFIG: config, CROSSWALK_DB: db };
  let w: World;

  beforeAll(async () => {
    writeFileSync(config, 'database: ./not-this-one.sqlite\n');
    const store = SqliteStore.open(db);
    // No system owns anything: the seed writes every record as the portal would.
    const policy = new StaticPolicy({ inbound: {} });
    const make = (entity: EntityName, changes: FieldMap) =>
      store.unitOfWork(async (tx) => (await applyLocalChange(tx, policy, { entity, changes, actor: 'seed' }, NOW)).canonicalId);
    const client = (name: string) => make('client', { name, status: 'active', phone: null, website: null, billingFrequency: 'weekly', city: 'Dayton' });
    const worksite = (clientId: string, name: string) =>
      make('worksite', { clientId, name, status: 'active', addressLine1: null, city: 'Dayton', state: 'OH', postalCode: null, timeZone: 'America/New_York' });
    const contact = (clientId: string, firstName: string, status: string) =>
      make('contact', { clientId, firstName, lastName: 'Okafor', email: null, phone: null, title: null, status });
    const clientA = await client('Harbor Tooling');
    const clientB = await client('Riverside Freight');
    const worksiteA = await worksite(clientA, 'North Plant');
    const worksiteB = await worksite(clientB, 'Riverside Yard');
    const contactA = await contact(clientA, 'Mira', 'active');
    const inactiveContact = await contact(clientA, 'Ada', 'inactive');
    // A role across clients, written straight into the table as if it predated the check that now refuses it.
    const crossRoleId = newId();
    await store.unitOfWork((tx) => tx.canonical.insertMany('contact_worksite_role', [{ id: crossRoleId, changedAt: NOW, fields: { contactId: contactA, worksiteId: worksiteB, role: 'approver' } }], NOW));
    store.close();
    w = { clientA, clientB, worksiteA, worksiteB, contactA, inactiveContact, crossRoleId };
  });
  afterAll(() => d.dispose());

  it('keys create --contact prints {"id", "key"}; only the hash is stored; list never shows either; revoke ends it', async () => {
    const r = await cli(['keys', 'create', '--contact', w.contactA, '--scopes', 'read', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const created = json<{ id: string; key: string }>(r);
    expect(Object.keys(created).sort()).toEqual(['id', 'key']);
    expect(created.key).toMatch(new RegExp(`^cw_live_${created.id}_[A-Za-z0-9_-]{43}$`));

    const store = SqliteStore.open(db);
    try {
      const row = await store.repos.access.keyById(created.id);
      expect(row).toMatchObject({ ownerKind: 'contact', ownerId: w.contactA, scopes: ['read'], createdBy: ACTOR, revokedAt: null });
      expect(row?.secretHash).toBe(sha256Hex(created.key.slice(`cw_live_${created.id}_`.length)));
    } finally {
      store.close();
    }

    const listed = await cli(['keys', 'list', '--contact', w.contactA, '--json'], env);
    expect(json<Array<{ id: string }>>(listed).map((k) => k.id)).toEqual([created.id]);
    expect(listed.stdout).not.toContain('secretHash');
    expect(listed.stdout).not.toContain(created.key.slice(-43));

    const revoked = await cli(['keys', 'revoke', created.id, '--json'], env);
    expect(json<{ revoked: boolean }>(revoked).revoked).toBe(true);
    expect(json<unknown[]>(await cli(['keys', 'list', '--contact', w.contactA, '--json'], env))).toEqual([]);
  });

  it('keys create refuses an unknown or inactive owner, a missing role and another client\'s worksite, with one clear line', async () => {
    const cases: Array<[string[], string]> = [
      [['--contact', 'no-such-contact'], 'contact no-such-contact not found'],
      [['--contact', w.inactiveContact], `contact ${w.inactiveContact} is inactive, not active`],
      [['--user', 'nobody@ops.example.test'], 'user nobody@ops.example.test not found'],
      [['--service', 'etl'], 'a service key needs --role'],
      [['--contact', w.contactA, '--worksite', w.worksiteB], `worksite ${w.worksiteB} belongs to another client`],
      [['--contact', w.contactA, '--expires', '2001-01-01'], 'expiresAt is in the past'],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['keys', 'create', ...args, '--json'], env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toContain('    at ');
    }
  });

  it('users create reads the password from stdin (12 characters at least); the user is listed, and disable revokes its keys', async () => {
    const short = await cli(['users', 'create', '--email', 'short@ops.example.test', '--role', 'ops_admin', '--password-stdin', '--json'], env, 'too short\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('at least 12 characters');

    const r = await cli(['users', 'create', '--email', 'Dana@Ops.Example.test', '--role', 'ops_admin', '--name', 'Dana', '--password-stdin', '--json'], env, `${PASSWORD}\n`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const user = json<{ id: string; email: string; role: string; status: string; hasPassword: boolean }>(r);
    expect(user).toMatchObject({ email: 'dana@ops.example.test', role: 'ops_admin', status: 'active', hasPassword: true });
    expect(r.stdout).not.toContain('scrypt$');
    const store = SqliteStore.open(db);
    try {
      const row = await store.repos.access.userById(user.id);
      expect(await verifyPassword(PASSWORD, row?.passwordHash ?? null)).toBe(true);
    } finally {
      store.close();
    }
    const again = await cli(['users', 'create', '--email', 'dana@ops.example.test', '--role', 'viewer'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists already');

    const key = json<{ id: string }>(await cli(['keys', 'create', '--user', 'dana@ops.example.test', '--json'], env));
    const list = json<Array<{ email: string; hasPassword: boolean }>>(await cli(['users', 'list', '--json'], env));
    expect(list).toEqual([expect.objectContaining({ email: 'dana@ops.example.test', hasPassword: true })]);
    expect(JSON.stringify(list)).not.toContain('passwordHash');

    const disabled = await cli(['users', 'disable', 'dana@ops.example.test', '--json'], env);
    expect(json<{ user: { status: string }; revoked: { keys: number } }>(disabled)).toMatchObject({ user: { status: 'disabled' }, revoked: { keys: 1 } });
    const keys = json<Array<{ id: string; revokedAt: string | null }>>(await cli(['keys', 'list', '--user', user.id, '--all', '--json'], env));
    expect(keys.map((k) => k.id)).toEqual([key.id]);
    expect(keys[0]?.revokedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('access grant keeps roles inside a client; grants lists them; revoke ends one', async () => {
    const crossing = await cli(['access', 'grant', '--contact', w.contactA, '--role', 'client_admin', '--client', w.clientB], env);
    expect(crossing.code).toBe(2);
    expect(crossing.stderr).toContain('a role never crosses clients');

    const granted = await cli(['access', 'grant', '--contact', w.contactA, '--role', 'client_admin', '--client', w.clientA, '--from', '2026-01-01', '--json'], env);
    expect(granted.code).toBe(0);
    const grant = json<{ id: string; role: string; createdBy: string }>(granted);
    expect(grant).toMatchObject({ role: 'client_admin', createdBy: ACTOR });
    expect(json<Array<{ id: string }>>(await cli(['access', 'grants', '--client', w.clientA, '--json'], env)).map((g) => g.id)).toEqual([grant.id]);
    expect(json<unknown[]>(await cli(['access', 'grants', '--client', w.clientB, '--json'], env))).toEqual([]);
    expect(json<{ revoked: boolean }>(await cli(['access', 'revoke', grant.id, '--json'], env)).revoked).toBe(true);
    expect(json<unknown[]>(await cli(['access', 'grants', '--contact', w.contactA, '--json'], env))).toEqual([]);
  });

  it('access check finds the planted cross-client role and exits 1', async () => {
    const r = await cli(['access', 'check', '--json'], env);
    expect(r.code).toBe(1);
    expect(json<{ ok: boolean; crossClientRoles: unknown[] }>(r)).toEqual({
      ok: false,
      crossClientRoles: [{ roleId: w.crossRoleId, contactId: w.contactA, contactClientId: w.clientA, worksiteId: w.worksiteB, worksiteClientId: w.clientB, role: 'approver' }],
    });
    const human = await cli(['access', 'check'], env);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('1 contact–worksite role(s) cross clients');
  });

  it('audit lists every change the CLI made, as service cli:<os user>, with filters', async () => {
    const all = json<Array<{ action: string; actorType: string; actorId: string; credential: string; outcome: string }>>(await cli(['audit', '--json'], env));
    const actions = all.map((e) => e.action);
    for (const action of ['key.create', 'key.revoke', 'user.create', 'user.disable', 'grant.create', 'grant.revoke']) expect(actions).toContain(action);
    expect(all.every((e) => e.actorType === 'service' && e.actorId === ACTOR && e.credential === 'cli' && e.outcome === 'success')).toBe(true);
    // Refused commands changed nothing, and wrote nothing.
    expect(actions.filter((a) => a === 'user.create')).toHaveLength(1);

    const keys = json<Array<{ action: string }>>(await cli(['audit', '--action', 'key.create', '--actor', `service:${ACTOR}`, '--json'], env));
    expect(keys.map((e) => e.action)).toEqual(['key.create', 'key.create']);
    const users = json<Array<{ targetType: string }>>(await cli(['audit', '--target', 'user', '--limit', '1', '--json'], env));
    expect(users).toEqual([expect.objectContaining({ targetType: 'user', action: 'user.disable' })]);
    expect(json<unknown[]>(await cli(['audit', '--since', '2099-01-01T00:00:00Z', '--json'], env))).toEqual([]);
    const bad = await cli(['audit', '--outcome', 'maybe'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--outcome must be one of success, failure, denied');
  });

  it('audit purge deletes what is older than the retention, records the purge, and refuses to empty the audit', async () => {
    const purge = await cli(['audit', 'purge', '--older-than-days', '30', '--json'], env);
    expect(json<{ deleted: number }>(purge).deleted).toBe(0);
    const after = json<Array<{ action: string; reason: string }>>(await cli(['audit', '--limit', '1', '--json'], env));
    expect(after).toEqual([expect.objectContaining({ action: 'audit.purge' })]);
    expect((await cli(['audit', 'purge', '--older-than-days', '0'], env)).code).toBe(2);
  });
});
