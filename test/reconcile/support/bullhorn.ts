import { sqliteOf } from '../../support/temp-store.ts';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { expect } from 'vitest';
import { createBullhornEmulator, type BullhornControl, type BullhornEmulatorOptions } from '../../../fixtures/bullhorn/index.ts';
import type { Hub } from '../../../src/hub.ts';
import type { RunRow } from '../../../src/store/index.ts';
import type { EmulatorTarget } from './bullhorn-hub.ts';

export { BULLHORN_MAPPINGS, bullhornHub, runJobs, type BullhornHub, type EmulatorTarget } from './bullhorn-hub.ts';

export interface LoggedEmulator {
  readonly baseUrl: string;
  readonly control: BullhornControl;
  /** Every request the emulator served, in order (control routes included; filter by path). */
  readonly requests: URL[];
  close(): Promise<void>;
}

/** The Bullhorn emulator behind a request log: which listing pages were asked for, and how often. */
export async function startLoggedEmulator(options: BullhornEmulatorOptions): Promise<LoggedEmulator> {
  const { app, control } = createBullhornEmulator(options);
  const requests: URL[] = [];
  const { server, info } = await new Promise<{ server: ReturnType<typeof serve>; info: AddressInfo }>((resolve, reject) => {
    const s = serve(
      {
        fetch: (req: Request) => {
          requests.push(new URL(req.url));
          return app.fetch(req);
        },
        port: 0,
        hostname: '127.0.0.1',
      },
      (address) => resolve({ server: s, info: address }),
    );
    s.once('error', reject);
  });
  return {
    baseUrl: `http://127.0.0.1:${info.port}`,
    control,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if ('closeAllConnections' in server && typeof server.closeAllConnections === 'function') server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** Listing requests for one entity, as their `start` offsets. */
export function listingStarts(emu: LoggedEmulator, entity: string): number[] {
  return emu.requests
    .filter((u) => u.pathname.endsWith(`/search/${entity}`) || u.pathname.endsWith(`/query/${entity}`))
    .map((u) => Number(u.searchParams.get('start') ?? 0));
}

export function targetOf(emu: LoggedEmulator): EmulatorTarget {
  return { baseUrl: emu.baseUrl, credentials: emu.control.credentials };
}

export async function fullPull(hub: Hub): Promise<void> {
  await hub.work();
  await hub.queue().enqueue('sync.pull', { system: 'bullhorn', entity: 'Candidate', full: true }, { jobId: 'pull:initial' });
  await hub.queue().drain({ timeoutMs: 30_000 });
  const [pull] = await hub.store().repos.runs.list({ kind: 'pull', limit: 1 });
  expect(pull?.status).toBe('succeeded');
}

export async function lastReconcile(hub: Hub): Promise<RunRow> {
  const [run] = await hub.store().repos.runs.list({ kind: 'reconcile', limit: 1 });
  if (!run) throw new Error('no reconcile run');
  return run;
}


/** Candidate rows by Bullhorn id, as the hub holds them. */
export function hubCandidates(hub: Hub): Map<number, Record<string, unknown>> {
  const rows = sqliteOf(hub.store()).db
    .prepare(`SELECT l.external_id AS ext, l.tombstoned_at AS tombstonedAt, c.first_name AS firstName, c.last_name AS lastName, c.email, c.status
              FROM links l JOIN candidates c ON c.id = l.canonical_id WHERE l.system = 'bullhorn' AND l.entity = 'candidate'`)
    .all() as Array<Record<string, unknown> & { ext: string }>;
  return new Map(rows.map((r) => [Number(r.ext), r]));
}

/** Every live Bullhorn candidate is in the hub with the same values; every one gone is tombstoned. */
export function expectHubEqualsSource(emu: LoggedEmulator, hub: Hub, ids: readonly number[]): void {
  const held = hubCandidates(hub);
  const status: Record<string, string> = { Active: 'active', Placed: 'placed', Inactive: 'inactive' };
  for (const id of ids) {
    const source = emu.control.get('Candidate', id);
    const mine = held.get(id);
    if (source === undefined || source['isDeleted'] === true) {
      expect(mine?.['tombstonedAt'], `candidate ${id} is gone at the source`).not.toBeNull();
      continue;
    }
    expect(mine, `candidate ${id}`).toMatchObject({
      firstName: source['firstName'], lastName: source['lastName'], email: source['email'] ?? null, status: status[source['status'] as string], tombstonedAt: null,
    });
  }
}
